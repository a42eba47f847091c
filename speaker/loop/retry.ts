// When the loop tries again after an announcement failed (a packet socket that would not open, an
// interface that vanished before the watcher's event reached the loop, ENOBUFS, ...). Pure: the loop owns the
// timer and asks only for the next delay.
//
//   100 ms   a transient failure retried at once still lands inside the failover budget (p50 < 250 ms).
//   250, 500, 1000 ms   by then the interface watcher (rtnetlink events) has reported a vanished or renamed
//            link, and the plan itself has moved the announcement elsewhere or dropped it.
//   2000, 5000 ms   last tries for slower recoveries (a driver reset, a bond re-enslaving its port).
// Then the loop stops trying until the next event (a link, membership or configuration change): what
// still fails after ~9 s is a configuration problem (no CAP_NET_RAW, a non-Ethernet interface named
// explicitly) that retrying does not fix and that logging every few seconds would only bury.
export const RETRY_DELAYS_MS: readonly number[] = [100, 250, 500, 1000, 2000, 5000];

/** The delay before retry number `attempt` (0-based), or null once the retries are used up. */
export function retryDelayMs(attempt: number, delays: readonly number[] = RETRY_DELAYS_MS): number | null {
  return delays[attempt] ?? null;
}
