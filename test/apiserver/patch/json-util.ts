// Small JSON helpers shared by the patch flavours and the write path.
import { deepEqual } from '../../../lib/crd-schema/go-json.js';
import { deleteKey, isJsonObject, type JsonObject } from '../types.js';

export { deepEqual };

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) deleteKey(result, key);
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
