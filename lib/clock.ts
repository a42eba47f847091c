// The one injectable clock: monotonic time for deadlines, wall time for what goes on the wire or into the API,
// and a timer. Drivers take it as an option (tests pass a fake), the pure cores take times as arguments.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic ms, for deadlines (immune to NTP steps). */
  monotonicMs(): number;
  /** Wall-clock Unix ms, for timestamps others read (heartbeat send times, Lease and Event times). */
  wallMs(): number;
  setTimer(cb: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer: (cb, delayMs) => {
    const t = setTimeout(cb, delayMs);
    return { cancel: () => clearTimeout(t) };
  },
};
