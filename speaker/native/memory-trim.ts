// Hands malloc's free pages back to the kernel now and then. glibc's free() returns memory to the kernel only from
// the top of an arena; what V8's compiler zones, parse buffers and the API's bursts free below it stays resident
// (docs/layer2.md, "Memory": 4-5 MiB of a speaker with 1 000 Services). malloc_trim(0), through the addon, releases
// those pages; at the speaker's size it takes well under a millisecond, so a call every few seconds costs nothing
// the failover path could notice.
import type { NativeAddon } from './addon.js';

/** How often: often enough that a burst's leftovers do not stay resident for long. */
export const MALLOC_TRIM_INTERVAL_MS = 2000;

export class MallocTrimmer {
  private timer: NodeJS.Timeout | undefined;

  /** `addon` may lack trimMemory (built before it existed): then the trimmer does nothing. */
  constructor(private readonly addon: Partial<Pick<NativeAddon, 'trimMemory'>>, private readonly intervalMs = MALLOC_TRIM_INTERVAL_MS) {}

  /** Whether the addon can trim at all. */
  get available(): boolean {
    return typeof this.addon.trimMemory === 'function';
  }

  start(): void {
    const trim = this.addon.trimMemory;
    if (this.timer !== undefined || typeof trim !== 'function') return;
    this.timer = setInterval(() => trim.call(this.addon), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
