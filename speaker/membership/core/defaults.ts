// Membership defaults and why.
//
// Failover target (DESIGN.md): after an owner node crashes, a client is cut off p50 < 250 ms and
// p99 < 500 ms, including the new owner's gratuitous ARP and the client's reaction.
//
// Detection. A peer is declared dead DEAD_AFTER promised intervals after the last beat it received. The
// crash lands at a random point u of the beat cycle (u uniform in [0, I)), so the last beat left u before
// the crash and the survivor declares death D·I − u after it: between (D−1)·I and D·I.
//   I = 50 ms, D = 4  →  detection 150..200 ms (mean 175 ms).
// Then the new owner sends its first gratuitous ARP at once and the client switches on receipt (3–29 ms
// measured with keepalived on this lab), and the lab's prober adds 0–10 ms: p50 ≈ 175 + 15 + 5 ≈ 195 ms,
// worst case ≈ 200 + 30 + 10 = 240 ms, leaving ~250 ms of the p99 budget for event-loop stalls on a busy
// node. Alternatives rejected: 100 ms × 3 gives 200..300 ms detection, p50 ≈ 265 ms, over target;
// 50 ms × 3 is 50 ms faster but only tolerates two lost beats (or a 100 ms GC pause) before a false
// failover; 4 tolerates three in a row. (test/bench/membership.bench.ts tabulates the trade-off.)
//
// Cost. Fast beats go only to the successors of the IPs a node owns (election/targets.ts); everyone else
// gets a slow beat every SLOW_INTERVAL_MS, enough to keep the alive set and the split-brain quorum
// current within seconds. For 100 nodes with one IP each that is ~4 000 fast + ~9 900 slow packets/s
// cluster-wide, against 198 000 for a full mesh at 20 Hz (figures: the bench).

/** Fast beat interval, for peers that must notice this node's death quickly. */
export const DEFAULT_INTERVAL_MS = 50;
/** Missed intervals after which a peer is dead. */
export const DEFAULT_DEAD_AFTER = 4;
/** Slow beat interval, for every other peer: the alive set and quorum stay current within seconds. */
export const DEFAULT_SLOW_INTERVAL_MS = 1000;
/**
 * How far a message's send time may be from the receiver's clock when it starts a new incarnation of its
 * sender (a restart) or is the first one heard from it. Old captured messages are older than this, so they
 * cannot be replayed as a "restart" (a replayed goodbye must not kill a live node). Kubernetes nodes keep
 * NTP time far closer than this; a node whose clock is off by more is dropped as 'stale' and logged.
 */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 10_000;
/**
 * How long a speaker that joins a running mesh (a restart, a DaemonSet update) stays settling: alive and a
 * successor, but not elected owner (state.ts, settlingOf). A Node process stalls its event loop for 150–570 ms
 * in its first seconds on a busy node (code compiling, the API's first lists parsed, seen in the lab's rolling
 * restarts), long enough for its peers to declare it dead; an IP handed to it at once then moves away and
 * back. Two seconds covers those stalls; the IPs it ranks first for move to it afterwards, by one handover.
 */
export const DEFAULT_SETTLE_MS = 2000;
/**
 * A node settles only when a peer began more than this long before it (a restart into a running mesh). Nodes that
 * start within it are one cold start: a DaemonSet's pods come up seconds apart, and settling there would only move
 * IPs once more as each finishes its start.
 */
export const COLD_START_WINDOW_MS = 10_000;
/**
 * How many fast intervals a speaker whose peer fell silent waits for the other peers' answers to its pings before
 * it counts itself cut off (step.ts, doubt). Answers take one round trip on a LAN; two intervals let one ping or
 * answer be lost. A node cut off from everyone withdraws that long after its first peer falls silent, at most
 * 100 ms after the others took its IPs over.
 */
export const CORROBORATE_WITHIN_INTERVALS = 2;
/** How many past incarnations of each peer are remembered and refused (a replay from an older boot). */
export const RETIRED_INCARNATIONS_KEPT = 16;
/**
 * A receiver caps a peer's promised interval at this, so a buggy or mis-set peer cannot make itself live
 * for minutes after it died.
 */
export const MAX_PROMISED_INTERVAL_MS = 30_000;
/** UDP port, the same as MetalLB's memberlist so existing firewall rules carry over. */
export const DEFAULT_PORT = 7946;
