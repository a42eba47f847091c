// Rate limit for the log lines about dropped datagrams: a flood must cost counters, not a log line (and its
// JSON) per datagram. Per key (a drop reason), the first drop is logged, then at most one line per window,
// carrying how many were left out since the last line. The counters stay exact (stats(), metrics).

export interface GateState {
  /** When the last line for this key was let through. */
  readonly lastMs: number;
  /** Drops not logged since then. */
  readonly suppressed: number;
}

/** One line per reason per 10 s at most. */
export const LOG_WINDOW_MS = 10_000;

/** Whether to log this drop now (with how many were left out before it), and the key's new state. Pure. */
export function passLogGate(state: GateState | undefined, nowMs: number, windowMs = LOG_WINDOW_MS): { state: GateState; log: { suppressed: number } | null } {
  if (state === undefined || nowMs - state.lastMs >= windowMs) {
    return { state: { lastMs: nowMs, suppressed: 0 }, log: { suppressed: state?.suppressed ?? 0 } };
  }
  return { state: { lastMs: state.lastMs, suppressed: state.suppressed + 1 }, log: null };
}
