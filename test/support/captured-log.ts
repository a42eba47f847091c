// A logger whose lines a test can read: pino's JSON lines, parsed, kept in order.
import { pino } from 'pino';
import type { Logger } from '../../lib/log.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface CapturedLog {
  logger: Logger;
  lines: LogLine[];
}

export function capturedLog(level: 'debug' | 'info' = 'debug'): CapturedLog {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => { lines.push(JSON.parse(line) as LogLine); } });
  return { logger, lines };
}
