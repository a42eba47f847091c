// The PATCH content types kube-apiserver accepts, applied to the current object. Server-side apply is
// handled separately (it also needs field ownership), see apply.ts.
import fastJsonPatch from 'fast-json-patch';
import { ApiError, badRequest } from '../errors.js';
import { isJsonObject, type KubeObject } from '../types.js';
import { mergePatch } from './json-util.js';
import { strategicMergePatch, type PatchMeta } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0]?.trim();
  switch (mediaType) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': return 'apply';
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}

function applyJsonPatch(current: KubeObject, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest(`json: cannot unmarshal ${typeof operations} into Go value of type jsonpatch.Patch`);
  try {
    const document = structuredClone(current);
    return fastJsonPatch.applyPatch(document, operations as fastJsonPatch.Operation[], true, true).newDocument;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
  }
}

/** `meta` is the kind's strategic-merge metadata; undefined for custom resources, which reject strategic merge. */
export function applyPatch(type: PatchType, current: KubeObject, patch: unknown, meta: PatchMeta | undefined): unknown {
  switch (type) {
    case 'json': return applyJsonPatch(current, patch);
    case 'merge':
      if (!isJsonObject(patch)) throw badRequest('the body of the request must be a JSON object for a merge patch');
      return mergePatch(current, patch);
    case 'strategic':
      if (!meta) {
        throw new ApiError(415, 'UnsupportedMediaType',
          'strategic merge patch format is not supported');
      }
      if (!isJsonObject(patch)) throw badRequest('the body of the request must be a JSON object for a strategic merge patch');
      return strategicMergePatch(current, patch, meta);
    case 'apply':
      throw new Error('internal: apply patches go through applyConfiguration');
  }
}
