// Pure: when the gratuitous ARP / unsolicited NA frames of a burst go out, in ms after gaining an IP.
//
//   0 ms     at once: failover time is the whole point, and most clients move on this frame.
//   50 ms    one frame lost on a busy segment (or dropped by a switch port that just saw the old
//            owner's MAC) costs 50 ms, not seconds; well inside the 250 ms p50 target.
//   250 ms   switches that flood unknown MACs while their learning settles, and links that only just
//            came up (a bridge port leaving its forward delay) get a frame once they are ready.
//   1100 ms  past Linux's neighbour lock time (locktime, 1 s by default). We send the request form,
//            which current kernels accept inside the lock time, but older kernels and other stacks
//            treat every gratuitous frame like a reply and ignore it if the entry changed within the
//            last second (e.g. from the old owner's last answer).
//   3000 ms  a last one for hosts that missed everything (a NIC reset, a briefly congested link);
//            later than this, the client's own ARP/NS refresh asks us and we answer.
// Five frames per IP per interface: cheap even for a thousand IPs moving at once.
export const GRATUITOUS_SCHEDULE_MS: readonly number[] = [0, 50, 250, 1100, 3000];

/** The offsets still to come after `elapsedMs` since the IP was gained (for a burst resumed after a change). */
export function remainingBurst(elapsedMs: number, schedule: readonly number[] = GRATUITOUS_SCHEDULE_MS): number[] {
  return schedule.filter((at) => at >= elapsedMs).map((at) => at - elapsedMs);
}
