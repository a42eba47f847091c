// What the client sees, asked of the real tools from the client's namespace: the kernel's neighbour
// table (`ip neigh`), `arping`, `ndisc6` and `curl`. Tests and the demo judge Herald only through these.
import { execIn, sleep } from './exec.js';
import { HOSTS, HOST_IF, HTTP_PORT, macOf, nsOf } from './topology.js';

const CLIENT = nsOf('client');

/** The lab host that owns a MAC, or the MAC itself when it is no lab host's. */
export function hostOfMac(mac: string): string {
  return HOSTS.find((h) => macOf(h) === mac.toLowerCase())?.name ?? mac;
}

/** The MAC in the client's neighbour entry for ip, or undefined when it has none (or no lladdr). */
export async function neighMac(ip: string): Promise<string | undefined> {
  const { stdout } = await execIn(CLIENT, ['ip', '-j', 'neigh', 'show', 'to', ip, 'dev', HOST_IF]);
  const entries = JSON.parse(stdout || '[]') as { lladdr?: string }[];
  return entries[0]?.lladdr;
}

/** Plants a neighbour entry as if the client had talked to ip before (GARP only updates existing ones). */
export async function plantNeigh(ip: string, mac: string): Promise<void> {
  await execIn(CLIENT, ['ip', 'neigh', 'replace', ip, 'lladdr', mac, 'dev', HOST_IF, 'nud', 'stale']);
}

export async function flushNeigh(ip: string): Promise<void> {
  await execIn(CLIENT, ['ip', 'neigh', 'flush', 'to', ip, 'dev', HOST_IF]);
}

/**
 * Every MAC that answered `arping` for ip within a second. `-b` keeps broadcasting after the first reply
 * (iputils arping otherwise switches to unicast and would never hear a second answerer); `-c 2` waits for
 * a second answer to the first broadcast instead of stopping at the first.
 */
export async function arpingMacs(ip: string): Promise<string[]> {
  const out = await execIn(CLIENT, ['arping', '-b', '-c', '2', '-w', '1', '-I', HOST_IF, ip])
    .then((r) => r.stdout, (err: unknown) => errorStdout(err));
  return unique([...out.matchAll(/reply from \S+ \[([0-9a-f:]{17})\]/gi)].map((m) => (m[1] ?? '').toLowerCase()));
}

/** Every MAC that answered one Neighbor Solicitation for ip (`ndisc6 -m` waits for all answers). */
export async function ndiscMacs(ip: string): Promise<string[]> {
  const out = await execIn(CLIENT, ['ndisc6', '-m', '-n', '-r', '2', '-w', '400', ip, HOST_IF])
    .then((r) => r.stdout, (err: unknown) => errorStdout(err));
  return unique([...out.matchAll(/Target link-layer address: ([0-9A-F:]{17})/gi)].map((m) => (m[1] ?? '').toLowerCase()));
}

/** The body of one `curl` to the VIP's HTTP server (the answering node's name), or undefined on failure. */
export async function curlVip(ip: string, timeoutS = 1): Promise<string | undefined> {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return execIn(CLIENT, ['curl', '-s', '-g', '--max-time', String(timeoutS), `http://${host}:${HTTP_PORT}/`])
    .then((r) => r.stdout.trim() || undefined, () => undefined);
}

/** Polls until probe() returns want (compared with ===), or throws after timeoutMs naming the last value. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, want: T, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last === want) return;
    await sleep(50);
  }
  throw new Error(`${what}: wanted ${String(want)}, still ${JSON.stringify(last)} after ${timeoutMs} ms`);
}

function errorStdout(err: unknown): string {
  // arping and ndisc6 exit non-zero when nobody answers; what they printed still counts.
  const cause = (err as { cause?: { stdout?: string } }).cause;
  return cause?.stdout ?? '';
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * The round trip of one ARP request for ip as `arping` measures it (a fresh arping per call, so each
 * request is a broadcast like a client's first one), or undefined when nobody answered within a second.
 */
export async function arpingRttMs(ip: string): Promise<number | undefined> {
  const out = await execIn(CLIENT, ['arping', '-c', '1', '-w', '1', '-I', HOST_IF, ip])
    .then((r) => r.stdout, (err: unknown) => errorStdout(err));
  const m = /reply from \S+ \[[0-9a-f:]{17}\]\s+([0-9.]+)ms/i.exec(out);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Whether one fresh broadcast ARP request for ip got an answer within 200 ms (arping takes whole seconds only:
 * timeout(1) cuts its wait).
 */
export async function arpAnsweredOnce(ip: string): Promise<boolean> {
  const out = await execIn(CLIENT, ['timeout', '0.2', 'arping', '-c', '1', '-w', '1', '-I', HOST_IF, ip])
    .then((r) => r.stdout, (err: unknown) => errorStdout(err));
  return /reply from/i.test(out);
}

/**
 * When the client last got an ARP answer for ip, in ms after `sinceMs` (Date.now() before the change that should
 * silence it), asking again and again for `windowMs`; -1 when none came at all. An answer that stopped at t shows
 * as t, give or take one request.
 */
export async function lastArpAnswerMs(ip: string, sinceMs: number, windowMs: number): Promise<number> {
  let last = -1;
  while (Date.now() - sinceMs < windowMs) {
    if (await arpAnsweredOnce(ip)) last = Date.now() - sinceMs;
  }
  return last;
}
