// The Secret that holds the speakers' heartbeat keys: the controller creates it when it is missing, the speakers
// read it. Its one data key holds text in speaker/membership/keys.ts's format (parseHeartbeatKeys): one key per line,
// the signing key first, each at least MIN_KEY_BYTES long. The controller writes one line; a user rotates by
// adding a line (docs/layer2.md, "Rotating the heartbeat key"), which is why the controller never rewrites it.
import type { V1Secret } from '@kubernetes/client-node';

/** Its name in Herald's namespace (herald-system). MetalLB's equivalent is `memberlist`. */
export const HEARTBEAT_SECRET_NAME = 'herald-memberlist';
/** The data key holding the key lines. */
export const HEARTBEAT_SECRET_KEY = 'secretkey';
/** Random bytes behind a generated key: 256 bits, HMAC-SHA256's own block of strength. */
export const GENERATED_KEY_BYTES = 32;

/**
 * The Secret the controller creates: one line, the base64 text of `random` (GENERATED_KEY_BYTES of it). The
 * key the speakers use is that line's UTF-8 bytes (44 of them), as for any line a user writes.
 */
export function heartbeatSecretBody(namespace: string, random: Uint8Array): V1Secret {
  if (random.length !== GENERATED_KEY_BYTES) {
    throw new Error(`heartbeat key: got ${random.length} random bytes; need exactly ${GENERATED_KEY_BYTES}`);
  }
  const line = `${Buffer.from(random).toString('base64')}\n`;
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: {
      name: HEARTBEAT_SECRET_NAME, namespace,
      labels: { 'app.kubernetes.io/part-of': 'herald', 'app.kubernetes.io/component': 'heartbeat-key' },
    },
    data: { [HEARTBEAT_SECRET_KEY]: Buffer.from(line, 'utf8').toString('base64') },
  };
}
