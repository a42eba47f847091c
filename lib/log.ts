// One way to make a logger: pino JSON to stdout, level from a flag. Binaries create it in main.ts and
// pass it down; nothing imports a module-level logger (STYLE.md §12).
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(name: string, level: LevelWithSilent = 'info'): Logger {
  return pino({ name, level, base: { component: name } });
}

/** A logger that writes nothing, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
