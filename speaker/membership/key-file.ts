// Re-reads the heartbeat key file, so a key rotation (docs/layer2.md) needs no restart: a Secret mounted as a
// volume is updated in place by the kubelet (within about a minute), and each step of the rotation must reach
// every speaker before the next one starts. A file that cannot be read or holds a bad key is logged and the
// keys in use are kept: a typo in the Secret must not cut a speaker off its peers.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../lib/log.js';
import { parseHeartbeatKeys } from './keys.js';

export interface KeyFileWatcherOptions {
  path: string;
  /** The content the keys in use were read from, so an unchanged file changes nothing. */
  initial: Uint8Array;
  logger: Logger;
  onChange: (keys: Buffer[]) => void;
  /** How often to look (default 10 s: a rotation step waits for the kubelet anyway). */
  intervalMs?: number;
  read?: (path: string) => Promise<Uint8Array>;
}

export class KeyFileWatcher {
  private last: Buffer;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly o: KeyFileWatcherOptions) {
    this.last = Buffer.from(o.initial);
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.reading = this.reading.then(() => this.check());
    }, this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
  }

  /** Reads the file once; calls onChange when its content changed and holds good keys. Never throws. */
  async check(): Promise<void> {
    let content: Buffer;
    try {
      content = Buffer.from(await (this.o.read ?? readFile)(this.o.path));
    } catch (err) {
      this.o.logger.error({ err, path: this.o.path }, 'heartbeat key file unreadable; keeping the keys in use');
      return;
    }
    if (content.equals(this.last)) return;
    try {
      const keys = parseHeartbeatKeys(content, this.o.path);
      this.o.onChange(keys);
      this.last = content;
    } catch (err) {
      this.o.logger.error({ err, path: this.o.path }, 'heartbeat key file rejected; keeping the keys in use');
    }
  }
}
