// Whether a speaker's "this peer is dead" verdicts were deserved, judged against the wire: the flood lab test's
// judge. A verdict is deserved when the peer's genuine beats (tcpdump on the judging speaker's interface, by the
// peer's MAC) had stopped for at least DEAD_AFTER − 1 of the peer's usual intervals; a verdict while its beats kept
// arriving is the judging speaker's own mistake.
import { DEFAULT_DEAD_AFTER } from '../../speaker/membership/core/defaults.js';

export interface Verdict {
  peer: string;
  atMs: number;
}

export interface Beat {
  atMs: number;
  peer: string;
}

/** The peers a speaker dropped from its alive set, and when, from its "membership changed" log lines. */
export function deathVerdicts(self: string, everyone: readonly string[], lines: readonly { msg?: string; time?: unknown; alive?: unknown }[]): Verdict[] {
  const verdicts: Verdict[] = [];
  let alive = new Set(everyone);
  for (const line of lines.filter((l) => l.msg === 'membership changed')) {
    const now = new Set(Array.isArray(line.alive) ? (line.alive as string[]) : []);
    for (const peer of alive) if (!now.has(peer) && peer !== self) verdicts.push({ peer, atMs: Number(line.time) });
    alive = now;
  }
  return verdicts;
}

export interface Judgement {
  verdict: Verdict;
  /** How long the wire had been silent from that peer when the verdict came, ms. */
  quietMs: number;
  /** The peer's usual beat interval: the median gap between its beats before `settledBeforeMs`. */
  usualMs: number;
  deserved: boolean;
}

export function judgeVerdicts(verdicts: readonly Verdict[], beats: readonly Beat[], settledBeforeMs: number): Judgement[] {
  return verdicts.map((verdict) => {
    const times = beats.filter((b) => b.peer === verdict.peer).map((b) => b.atMs).sort((a, b) => a - b);
    const before = times.filter((t) => t < settledBeforeMs);
    const gaps = before.slice(1).map((t, i) => t - (before[i] ?? t)).sort((a, b) => a - b);
    const usualMs = gaps[Math.floor(gaps.length / 2)] ?? Number.POSITIVE_INFINITY;
    const last = times.filter((t) => t <= verdict.atMs).at(-1) ?? Number.NEGATIVE_INFINITY;
    const quietMs = verdict.atMs - last;
    return { verdict, quietMs, usualMs, deserved: quietMs >= (DEFAULT_DEAD_AFTER - 1) * usualMs };
  });
}
