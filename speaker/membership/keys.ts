// The heartbeat keys: where they are read from, and the HMAC objects made from them once.
//
// Several keys at once make a key rotation possible without a partition (docs/layer2.md, "Rotating the
// heartbeat key"): the first key seals every message this speaker sends, every key opens what it receives.
// In the key file (or HERALD_HEARTBEAT_KEY) that is one key per line, the signing key first. A file that
// is not UTF-8 text (`head -c 32 /dev/urandom`, as older docs suggested) is one binary key, read exactly as
// earlier builds read it, so such a key keeps working during a rolling upgrade.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { MacFunction } from './core/index.js';

export const MIN_KEY_BYTES = 16;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isText(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The keys in a key file's content or in the environment variable, the signing key first. Throws an error
 * naming `where` and the line (never the key) when there is none or one is shorter than MIN_KEY_BYTES.
 */
export function parseHeartbeatKeys(content: Uint8Array | string, where: string): Buffer[] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  // Earlier builds: the whole content as UTF-8 (invalid bytes replaced), trimmed, as one key. Kept for binary files.
  const lines = isText(bytes) ? bytes.toString('utf8').split(/\r?\n/) : [bytes.toString('utf8')];
  const keys: Buffer[] = [];
  lines.forEach((line, i) => {
    const text = line.trim();
    if (text === '') return;
    const key = Buffer.from(text, 'utf8');
    if (key.length < MIN_KEY_BYTES) throw new Error(`${where}: the key on line ${i + 1} is ${key.length} bytes; need at least ${MIN_KEY_BYTES}`);
    keys.push(key);
  });
  if (keys.length === 0) throw new Error(`${where}: no heartbeat key in it`);
  return keys;
}

/**
 * The keys as HMAC-SHA256 functions over node:crypto KeyObjects, made once: an HMAC keyed with a KeyObject
 * skips importing the raw key on every call (measured ~6× cheaper here). Counts every MAC it computes.
 */
export class KeyRing {
  readonly macs: readonly MacFunction[];
  /** MACs computed (one HMAC object each), sealing and checking. */
  computed = 0;

  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new Error('membership needs at least one heartbeat key');
    for (const [i, key] of keys.entries()) {
      if (key.length < MIN_KEY_BYTES) throw new Error(`membership key ${i + 1} is ${key.length} bytes; need at least ${MIN_KEY_BYTES}`);
    }
    this.macs = keys.map((key) => this.macOf(createSecretKey(Buffer.from(key))));
  }

  /** The signing key's MAC. */
  get signing(): MacFunction {
    const mac = this.macs[0];
    if (mac === undefined) throw new Error('KeyRing without keys');
    return mac;
  }

  private macOf(key: KeyObject): MacFunction {
    return (bytes) => {
      this.computed += 1;
      return createHmac('sha256', key).update(bytes).digest();
    };
  }
}
