// The timers of the gratuitous bursts (decide/burst.ts gives the schedule). One timer chain per batch of
// announcements that start their burst together, not one timer per frame per IP: a thousand IPs gained
// in one failover cost one pending timer instead of four thousand, and nothing is kept once a burst is
// over (a Timeout held per frame, and the frame its callback closed over, would live as long as the IP).
// Members are compared by identity; whoever owns them builds and sends each frame when told to, and may
// keep what it built for the length of a burst: `leave` says when a member's burst is over.

interface Burst<T> {
  members: Set<T>;
  timer: NodeJS.Timeout | null;
}

export class BurstScheduler<T> {
  private readonly burstOf = new Map<T, Burst<T>>();

  constructor(
    private readonly schedule: readonly number[],
    private readonly send: (member: T) => void,
    /** Called once a member's burst is over: finished, cancelled, or restarted by start(). */
    private readonly leave: (member: T) => void = () => undefined,
  ) {}

  /** Starts a burst for `members` from the schedule's first offset; a member already in a burst leaves it. */
  start(members: readonly T[]): void {
    if (members.length === 0) return;
    for (const m of members) this.cancel(m);
    const burst: Burst<T> = { members: new Set(members), timer: null };
    for (const m of members) this.burstOf.set(m, burst);
    this.step(burst, 0, 0);
  }

  /** Takes `member` out of its burst: none of its frames is sent any more. */
  cancel(member: T): void {
    const burst = this.burstOf.get(member);
    if (burst === undefined) return;
    this.burstOf.delete(member);
    burst.members.delete(member);
    this.leave(member);
    if (burst.members.size === 0 && burst.timer !== null) clearTimeout(burst.timer);
  }

  /** Bursts still running (tests, and a check that finished ones are let go). */
  get pending(): number {
    return this.burstOf.size;
  }

  /** Waits for offset `index` (the previous one was at `lastAt`), sends, and chains the next one. */
  private step(burst: Burst<T>, index: number, lastAt: number): void {
    const at = this.schedule[index];
    if (at === undefined || burst.members.size === 0) {
      for (const m of burst.members) {
        this.burstOf.delete(m);
        this.leave(m);
      }
      burst.timer = null;
      return;
    }
    const fire = (): void => {
      for (const m of burst.members) this.send(m);
      this.step(burst, index + 1, at);
    };
    if (at <= lastAt) fire();
    else burst.timer = setTimeout(fire, at - lastAt);
  }
}
