// The receive path's gate: what a datagram must pass, cheapest check first, before it reaches step().
//
//   1. sender address   a peer must be listed there (a map lookup)                   → unknownSender
//   2. length           between the smallest and the largest heartbeat                → short, oversize
//   3. decode           magic, version, type, names (bounds-checked, no crypto)       → badMagic, ...
//   4. sender name      `from` must be the peer listed at that address                → wrongSender
//   5. admission        for us, not a replay, not stale (core/admission.ts)           → notForUs, replay, ...
//   6. budget           a claimed restart or first contact needs a token per source   → overBudget
//   7. MAC              HMAC-SHA256 with each key, signing key first (keys.ts)        → badMac
//
// Junk from anywhere costs steps 1–3 at most, never a MAC; a forged beat from a listed address costs a MAC
// only within that address's budget, unless it carries the sender's current incarnation, which only someone
// who reads the mesh's traffic knows. Reordering changes no outcome: steps 4–5 are checks step() would make
// on the authenticated message anyway (and still does), and the MAC still decides everything that passes.
import {
  admission, canonicalSourceAddress, checkSender, indexSenders, matchingKey, sendersAt, splitDatagram, takeToken, tryDecodeHeartbeat,
  type Bucket, type BudgetConfig, type Heartbeat, type MembershipState, type SenderIndex,
} from './core/index.js';
import type { KeyRing } from './keys.js';
import type { RemoteInfo } from './socket.js';

export type GateResult =
  | { ok: true; message: Heartbeat }
  /** `peer` on badMac only: the listed peer in whose name it came, whose keys may differ (core/key-mismatch.ts). */
  | { ok: false; reason: string; detail: string; peer?: string };

/** Source address texts remembered with their canonical form (or null: not an address); cleared when full. */
const ADDRESS_CACHE_SIZE = 1024;

export class ReceiveGate {
  private index: SenderIndex = new Map();
  private readonly canonical = new Map<string, string | null>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(private keys: KeyRing, private readonly budget?: BudgetConfig) {}

  setKeys(keys: KeyRing): void {
    this.keys = keys;
  }

  /** The peers and where they are listed. Buckets of addresses no longer listed are forgotten. */
  setPeers(peers: readonly { name: string; address: string; port?: number | undefined }[]): void {
    this.index = indexSenders(peers);
    for (const address of this.buckets.keys()) if (!this.index.has(address)) this.buckets.delete(address);
  }

  /** Runs the checks in the order above. `state` is only read. */
  check(bytes: Uint8Array, from: RemoteInfo, state: MembershipState, wallMs: number, nowMs: number): GateResult {
    const address = this.canonicalOf(from.address);
    if (address === null || sendersAt(this.index, address, from.port).length === 0) {
      return { ok: false, reason: 'unknownSender', detail: `no peer is listed at ${from.address} port ${from.port}` };
    }
    const split = splitDatagram(bytes);
    if (!split.ok) return split;
    const decoded = tryDecodeHeartbeat(split.body);
    if (!decoded.ok) return decoded;
    const message = decoded.message;
    const sender = checkSender(this.index, address, from.port, message.from);
    if (!sender.ok) return sender;
    const admitted = admission(state, message, wallMs);
    if ('drop' in admitted) return { ok: false, reason: admitted.drop, detail: admitted.detail };
    if (admitted.verify === 'newIncarnation' && !this.take(address, nowMs)) {
      return { ok: false, reason: 'overBudget', detail: `${address}: over its budget of checks for new incarnations` };
    }
    if (matchingKey(split.body, split.tag, this.keys.macs) < 0) return { ok: false, reason: 'badMac', detail: 'HMAC mismatch', peer: message.from };
    return { ok: true, message };
  }

  private take(address: string, nowMs: number): boolean {
    const { bucket, ok } = takeToken(this.buckets.get(address), nowMs, this.budget);
    this.buckets.set(address, bucket);
    return ok;
  }

  private canonicalOf(text: string): string | null {
    const known = this.canonical.get(text);
    if (known !== undefined) return known;
    if (this.canonical.size >= ADDRESS_CACHE_SIZE) this.canonical.clear();
    const address = canonicalSourceAddress(text) ?? null;
    this.canonical.set(text, address);
    return address;
  }
}
