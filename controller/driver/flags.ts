// Parsing of the controller's duration and port flags, kept apart from main.ts so it can be tested.

/** "15s", "500ms", "1m" or a bare number of seconds, to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`duration "${text}" is not a number with an optional unit (ms, s, m)`);
  const value = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`port "${text}" is not an integer in 0..65535`);
  return n;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function parseLogLevel(text: string): LogLevel {
  const found = LEVELS.find((l) => l === text);
  if (!found) throw new Error(`log level "${text}" is not one of ${LEVELS.join(', ')}`);
  return found;
}
