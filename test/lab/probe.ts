// The client's HTTP prober (prober.ts, run in the client namespace) as seen from the test or benchmark:
// a growing list of samples stamped on CLOCK_MONOTONIC, and questions about them.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killProc, sleep, spawnIn, type ProcRecord } from './exec.js';
import { HTTP_PORT, nsOf } from './topology.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'prober.ts');

export interface Sample {
  /** When the request was sent and when it finished, ms on CLOCK_MONOTONIC (monotonicMs()). */
  sent: number;
  done: number;
  ok: boolean;
  /** The answering node's name when ok. */
  body?: string;
  error?: string;
  /** Held connections only: which one, and its local port when it answered. */
  conn?: number;
  port?: number;
}

/** What happened to one held connection: who answered it, and whether it broke (a failure, or a new port). */
export interface HeldConnection {
  conn: number;
  nodes: string[];
  answers: number;
  failures: number;
  ports: number;
  broken: boolean;
}

export interface ProberOptions {
  /** The namespace it runs in: the client's unless told (BGP's far client, say). */
  ns?: string;
  /** Hold this many keep-alive connections open instead of a fresh connection per request. */
  held?: number;
}

/** The same clock the prober stamps with: CLOCK_MONOTONIC is one per machine, across namespaces. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** A node name, or a test on the answering node's name. */
export type Accept = string | ((body: string) => boolean);

export class HttpProber {
  readonly samples: Sample[] = [];
  private constructor(private readonly record: ProcRecord) {}

  /** Starts probing http://VIP/ from the client every intervalMs; resolves once the prober runs. */
  static async start(vip: string, intervalMs = 10, timeoutMs = 1000, options: ProberOptions = {}): Promise<HttpProber> {
    const host = vip.includes(':') ? `[${vip}]` : vip;
    const argv = [process.execPath, script, `http://${host}:${HTTP_PORT}/`, String(intervalMs), String(timeoutMs), String(options.held ?? 0)];
    const role = `prober-${vip}${options.held === undefined ? '' : '-held'}`;
    const { record, child } = spawnIn(options.ns ?? nsOf('client'), argv, { role, pipeStdout: true });
    const prober = new HttpProber(record);
    if (!child.stdout) throw new Error('prober: no stdout pipe');
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as Sample | { ready: number };
      if ('ready' in parsed) ready();
      else prober.samples.push(parsed);
    });
    await started;
    return prober;
  }

  /** The first successful answer from a node `from` accepts that finished after `afterMs`, if any yet. */
  firstSuccess(afterMs: number, from: Accept): Sample | undefined {
    const accept = typeof from === 'string' ? (body: string) => body === from : from;
    let best: Sample | undefined;
    for (const s of this.samples) {
      if (s.ok && s.body !== undefined && accept(s.body) && s.done > afterMs && (!best || s.done < best.done)) best = s;
    }
    return best;
  }

  /** The node that answered last, if the last finished request succeeded. */
  lastAnswer(): string | undefined {
    const last = this.samples.at(-1);
    return last?.ok ? last.body : undefined;
  }

  /** Waits for firstSuccess(afterMs, from); throws after timeoutMs naming what was seen instead. */
  async waitForSuccess(afterMs: number, from: Accept, timeoutMs: number): Promise<Sample> {
    const deadline = monotonicMs() + timeoutMs;
    for (;;) {
      const hit = this.firstSuccess(afterMs, from);
      // The prober prints each sample as it finishes, so lines arrive in `done` order: no sample read
      // later can have finished before this hit.
      if (hit) return hit;
      if (monotonicMs() > deadline) throw new Error(`prober: no answer from ${String(from)} within ${timeoutMs} ms; last: ${JSON.stringify(this.samples.at(-1))}`);
      await sleep(20);
    }
  }

  /** The longest stretch without any successful answer that started after afterMs, in ms. */
  outageAfter(afterMs: number): number {
    const ok = this.samples.filter((s) => s.ok && s.done > afterMs).map((s) => s.done).sort((a, b) => a - b);
    let longest = 0;
    let previous = afterMs;
    for (const t of ok) {
      longest = Math.max(longest, t - previous);
      previous = t;
    }
    return longest;
  }

  /** Each held connection's story, from the samples that finished after `afterMs`. */
  heldConnections(afterMs = 0): HeldConnection[] {
    const byConn = new Map<number, Sample[]>();
    for (const s of this.samples) {
      if (s.conn !== undefined && s.done > afterMs) byConn.set(s.conn, [...(byConn.get(s.conn) ?? []), s]);
    }
    return [...byConn.entries()].sort(([a], [b]) => a - b).map(([conn, samples]) => {
      const ok = samples.filter((s) => s.ok);
      const ports = new Set(ok.map((s) => s.port)).size;
      const failures = samples.length - ok.length;
      return { conn, nodes: [...new Set(ok.map((s) => s.body ?? ''))].sort(), answers: ok.length, failures, ports, broken: failures > 0 || ports > 1 };
    });
  }

  async stop(): Promise<void> {
    await killProc(this.record, 'SIGTERM', 2000);
  }
}
