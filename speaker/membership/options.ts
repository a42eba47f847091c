// What UdpMembership (udp-membership.ts) is built with, what it reports, and its listeners' types.
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { AfterIo } from './catch-up.js';
import type { BudgetConfig, KeyMismatch, QuorumDecision } from './core/index.js';
import type { SocketFactory } from './socket.js';

export interface PeerAddress {
  name: string;
  /** IPv4 or IPv6 literal: where beats go, and the only address beats in this name are accepted from. */
  address: string;
  /** Default: the membership port. */
  port?: number;
}

export interface UdpMembershipOptions {
  nodeName: string;
  /** Default '::' (dual-stack, reaches IPv4 and IPv6 peers); an IPv4 literal opens an IPv4-only socket. */
  bindAddress?: string;
  /** Default 7946. 0 picks a free port (tests). */
  port?: number;
  peers: readonly PeerAddress[];
  /**
   * HMAC-SHA256 keys, each at least 16 bytes (from the cluster Secret): the first seals, every one opens
   * (a key rotation, keys.ts). One Buffer is one key.
   */
  key: Buffer | readonly Buffer[];
  /**
   * Where the keys come from, named when a peer's keys differ ("the Secret herald-system/herald-memberlist",
   * "the key file /etc/herald/key"). Default: "the heartbeat keys".
   */
  keysFrom?: string;
  /** Fast beat interval (default 50 ms, see core/defaults.ts). */
  intervalMs?: number;
  /** Missed intervals before a peer is dead (default 4). */
  deadAfter?: number;
  /** Slow beat interval for peers outside fastTargets (default 1000 ms). */
  slowIntervalMs?: number;
  maxClockSkewMs?: number;
  /** How long this node stays settling after joining a running mesh (default 2000 ms, core/defaults.ts). */
  settleMs?: number;
  /** Checks a source may cause for claimed restarts (core/budget.ts); tests shrink it. */
  budget?: BudgetConfig;
  logger?: Logger;
  /** Default: filtered-socket.ts (the kernel drops datagrams from addresses no peer is listed at). */
  socketFactory?: SocketFactory;
  clock?: Clock;
  /** Runs a callback after this event-loop turn's socket reads (catch-up.ts); tests drive it by hand. */
  afterIo?: AfterIo;
  /** Default: 64 random bits. Tests fix it to replay a "previous boot". */
  incarnation?: bigint;
}

/** `settling`: the alive speakers that may not be elected owner yet (core/state.ts settlingOf). */
export type MembershipListener = (alive: ReadonlySet<string>, quorum: boolean, decision: QuorumDecision, settling: ReadonlySet<string>) => void;

/** Called with the peer that had declared this node dead and now hears it again (core/step.ts 'rejoined'). */
export type RejoinListener = (by: string) => void;

/** Called when the peers whose heartbeat keys differ from this node's change (empty: none any more). */
export type KeyMismatchListener = (mismatched: readonly KeyMismatch[]) => void;

export interface MembershipStats {
  /** Datagrams read from the socket. */
  datagrams: number;
  /** Messages that changed the state (authenticated, fresh, for us, from a known peer). */
  accepted: number;
  sent: number;
  sendErrors: number;
  /** Times a peer told this node it had declared it dead (each one re-sends the gratuitous bursts). */
  rejoins: number;
  /** HMACs computed, sealing and checking: junk must not move it. */
  macs: number;
  /** Event-loop turns in which the socket still held a backlog when a deadline was due. */
  behind: number;
  /**
   * Datagrams the kernel dropped at the socket before the speaker read them: refused by its filter (not from
   * a peer's address) or the receive buffer full. 0 where the socket cannot tell (tests' sockets).
   */
  kernelDropped: number;
  /** Addresses in the socket's kernel filter; 0 when it has none (see the log for why). */
  filteredAddresses: number;
  /** Refused datagrams by reason: unknownSender, short, badMagic, ..., wrongSender, replay, overBudget, badMac, ... */
  dropped: Record<string, number>;
  /** Peers whose every beat fails the MAC: their keys differ from this node's (core/key-mismatch.ts). */
  keyMismatch: KeyMismatch[];
}
