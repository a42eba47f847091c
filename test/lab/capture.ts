// tcpdump on a lab host's interface (the client's unless told): what actually went over the wire, for counting
// gratuitous frames and for timing heartbeats. Each line starts with its arrival time in epoch seconds (-tt).
import { createInterface } from 'node:readline';
import { killProc, sleep, spawnIn, type ProcRecord } from './exec.js';
import { HOST_IF, nsOf } from './topology.js';

export class Capture {
  readonly lines: string[] = [];
  private constructor(private readonly record: ProcRecord) {}

  /** Starts `tcpdump -l -nn -e -tt` with a filter on `host`'s interface; resolves once it listens. */
  static async start(filter: string, host = 'client'): Promise<Capture> {
    const argv = ['tcpdump', '-l', '-nn', '-e', '-tt', '-i', HOST_IF, filter];
    const { record, child } = spawnIn(nsOf(host), argv, { role: `tcpdump-${host}-${Date.now()}`, pipeStdout: true });
    const capture = new Capture(record);
    if (!child.stdout) throw new Error('tcpdump: no stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => capture.lines.push(line));
    // tcpdump says "listening on" on stderr (into the log file); half a second is plenty to open the socket.
    await sleep(500);
    return capture;
  }

  async stop(): Promise<string[]> {
    await sleep(100); // let the last lines through the pipe
    await killProc(this.record, 'SIGTERM', 2000);
    return this.lines;
  }
}

/** Gratuitous ARP in request form (sender = target = ip), the form Linux clients accept at once. */
export function countGratuitousArp(lines: readonly string[], ip: string): number {
  // tcpdump adds the target MAC in parentheses when it is not zero ("(Broadcast)" for keepalived's).
  const escaped = ip.replace(/[.:]/g, '\\$&');
  const garp = new RegExp(`Request who-has ${escaped}( \\([^)]*\\))? tell ${escaped},`);
  return lines.filter((l) => garp.test(l)).length;
}

/** ARP replies for ip, gratuitous or not; keepalived and some stacks also send the reply form. */
export function countArpReplies(lines: readonly string[], ip: string): number {
  return lines.filter((l) => l.includes(`Reply ${ip} is-at`)).length;
}

/** Unsolicited Neighbor Advertisements for ip (tcpdump: "neighbor advertisement, tgt is IP"). */
export function countNeighborAdvertisements(lines: readonly string[], ip: string): number {
  return lines.filter((l) => l.includes(`neighbor advertisement, tgt is ${ip}`)).length;
}

/** Each line's arrival time (epoch ms) and source MAC. */
export function framesBySource(lines: readonly string[]): { atMs: number; mac: string }[] {
  const frames: { atMs: number; mac: string }[] = [];
  for (const line of lines) {
    const m = /^(\d+\.\d+) ([0-9a-f:]{17}) >/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) frames.push({ atMs: Number(m[1]) * 1000, mac: m[2] });
  }
  return frames;
}
