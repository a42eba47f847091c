// Has the driver read everything its socket received? Asked before every judgement of a deadline
// (core/step.ts: a 'tick' may declare a peer dead only once the driver has caught up).
//
// Why it matters: when a flood (or a stall of this process) piles datagrams up in the socket, a peer's beat
// that arrived in time can sit behind hundreds of junk datagrams when the timer fires. Judging the deadline
// then declares a live peer dead, and the next read brings it back: that is how a junk flood made a
// speaker flap its healthy peer dead and alive eight times in four seconds. So the timer only starts a
// probe; the judgement waits for an event-loop turn in which the socket ran dry.
//
// How the probe knows: libuv reads at most READ_BATCH datagrams from a UDP socket per turn of the event loop
// (uv__udp_recvmsg, "prevent loop starvation"), in the poll phase, and setImmediate callbacks run in the check
// phase right after it. A turn that delivered fewer than READ_BATCH datagrams ended with the socket empty
// (the read returned EAGAIN); one that delivered READ_BATCH may have left more behind, so the probe looks
// again next turn and reports 'behind' meanwhile. catch-up.test.ts pins the batch size on this Node.
//
// The probe runs once per timer wake, a few dozen times a second at most; under a backlog once per turn.

/** libuv's per-turn read limit for a UDP socket (deps/uv/src/unix/udp.c, `count = 32`). */
export const READ_BATCH = 32;

/** Runs a callback after the current event-loop turn's socket reads (default: setImmediate). */
export type AfterIo = (cb: () => void) => void;

export const setImmediateAfterIo: AfterIo = (cb) => {
  setImmediate(cb);
};

export class CatchUpProbe {
  private seen = 0;
  private probing = false;
  private stopped = false;

  /** `report(true)`: the socket ran dry this turn; `report(false)`: a full batch came, looking again next turn. */
  constructor(private readonly afterIo: AfterIo, private readonly report: (caughtUp: boolean) => void) {}

  /** Called for every datagram the socket delivers. */
  noteDatagram(): void {
    this.seen += 1;
  }

  get active(): boolean {
    return this.probing;
  }

  /** Starts a probe unless one is running. */
  probe(): void {
    if (this.probing || this.stopped) return;
    this.probing = true;
    this.seen = 0;
    this.afterIo(() => this.check());
  }

  stop(): void {
    this.stopped = true;
  }

  private check(): void {
    if (this.stopped) return;
    const full = this.seen >= READ_BATCH;
    this.seen = 0;
    if (full) {
      this.afterIo(() => this.check());
      this.report(false);
      return;
    }
    this.probing = false;
    this.report(true);
  }
}
