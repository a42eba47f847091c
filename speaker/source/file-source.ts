// The file source: a YAML or JSON file listing nodes and IPs (format in parse.ts), reloaded on change.
// It watches the directory, not the file: editors and ConfigMap mounts replace a file by writing a new
// one and renaming it over the old, and a watch on the old inode would go quiet after the first save.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../lib/log.js';
import { parseAnnouncements } from './parse.js';
import type { AnnouncementSource, DesiredAnnouncements } from './types.js';

export interface FileSourceOptions {
  path: string;
  logger: Logger;
  /** Quiet time after the last change event before re-reading: one save fires several events. */
  debounceMs?: number;
}

export class FileSource implements AnnouncementSource {
  private readonly listeners: ((desired: DesiredAnnouncements) => void)[] = [];
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastGood: string | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly options: FileSourceOptions) {}

  onChange(cb: (desired: DesiredAnnouncements) => void): void {
    this.listeners.push(cb);
  }

  async start(): Promise<void> {
    const first = await this.read();
    if (!first.ok) throw new Error(`announcement file ${this.options.path}: ${first.problem}`);
    const name = basename(this.options.path);
    this.watcher = watch(dirname(this.options.path), (_event, file) => {
      // Some platforms do not report the name; re-reading an unchanged file costs little and delivers nothing.
      if (file === null || file === name) this.schedule();
    });
    this.watcher.on('error', (err) => this.options.logger.error({ err, path: this.options.path }, 'watching the announcement file failed'));
    this.deliver(first.desired);
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.reading;
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // Reads are chained so two quick saves cannot deliver out of order. A failure is logged and ends
      // there: a rejected link would skip every later reload, and crash the process as unhandled.
      this.reading = this.reading.then(() => this.reload()).catch((err: unknown) => {
        this.options.logger.error({ err, path: this.options.path }, 'applying the announcement file failed');
      });
    }, this.options.debounceMs ?? 100);
  }

  private async reload(): Promise<void> {
    if (this.watcher === null) return;
    const result = await this.read();
    if (result.ok) this.deliver(result.desired);
    else this.options.logger.error({ path: this.options.path, problem: result.problem }, 'announcement file rejected; keeping the last good one');
  }

  private async read(): Promise<{ ok: true; desired: DesiredAnnouncements } | { ok: false; problem: string }> {
    let text: string;
    try {
      text = await readFile(this.options.path, 'utf8');
    } catch (err) {
      return { ok: false, problem: `cannot read it: ${(err as Error).message}` };
    }
    const parsed = parseAnnouncements(text);
    return parsed.ok ? parsed : { ok: false, problem: parsed.problems.join('; ') };
  }

  private deliver(desired: DesiredAnnouncements): void {
    const text = JSON.stringify(desired);
    if (text === this.lastGood) return;
    this.lastGood = text;
    this.options.logger.info({ path: this.options.path, nodes: desired.nodes.length, ips: desired.ips.length }, 'announcement file loaded');
    for (const cb of this.listeners) cb(desired);
  }
}
