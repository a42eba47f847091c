// The heartbeat keys as the Secret holds them: one data entry in the key file's format (membership/keys.ts), so a
// rotation is the same edit in a file or in the Secret (add the new key as the second line, then move it first).
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseHeartbeatKeys } from '../../membership/keys.js';

export type KeysView =
  | { ok: true; keys: Buffer[]; /** the entry as written, to notice a change */ fingerprint: string }
  | { ok: false; problem: string };

export function secretKeys(secret: KubernetesObject, dataKey: string): KeysView {
  const data = (secret as { data?: Record<string, string> }).data;
  const encoded = data?.[dataKey];
  if (encoded === undefined || encoded === '') return { ok: false, problem: `it has no "${dataKey}" entry` };
  try {
    return { ok: true, keys: parseHeartbeatKeys(Buffer.from(encoded, 'base64'), `its "${dataKey}" entry`), fingerprint: encoded };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}
