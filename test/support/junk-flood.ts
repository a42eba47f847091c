// A UDP junk flooder for the membership hardening tests (issue 12), run as its own process so the flood does
// not share an event loop with the speakers it floods:
//   node --import tsx test/support/junk-flood.ts --to 127.0.0.1:7946 [--from 127.0.0.9] [--seconds 4]
//        [--kind junk|forged|mixed] [--forged-from n2 --forged-to n1] [--size 64]
// junk: random bytes (--size each). forged: well-formed heartbeat headers in the name of --forged-from to
// --forged-to, a random incarnation each, a random tag (they reach the MAC unless the budget stops them).
// mixed: half of each.
// Sends as fast as the socket takes them, in bursts with a turn of the event loop between, for --seconds;
// prints {"sent":N,"seconds":S} on stdout and exits.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeHeartbeat } from '../../speaker/membership/core/index.js';

export interface FloodOptions {
  to: { address: string; port: number };
  from?: string;
  seconds: number;
  kind: 'junk' | 'forged' | 'mixed';
  forgedFrom?: string;
  forgedTo?: string;
  size?: number;
}

const BURST = 64;

function datagram(o: FloodOptions, i: number): Uint8Array {
  if (o.kind === 'junk' || (o.kind === 'mixed' && i % 2 === 0)) return randomBytes(o.size ?? 64);
  const body = encodeHeartbeat({
    version: 2, uptimeMs: 0, type: 'beat', from: o.forgedFrom ?? 'n2', to: o.forgedTo ?? 'n1', incarnation: randomBytes(8).readBigUInt64BE(0),
    sequence: 1, sendTimeMs: Date.now(), nextWithinMs: 50, timesDeclaredDead: 0,
  });
  return Buffer.concat([body, randomBytes(32)]);
}

/** Floods until the time is up; resolves with the number of datagrams handed to the kernel. */
export async function flood(o: FloodOptions): Promise<number> {
  const socket = createSocket(isIPv6(o.to.address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, o.from, () => resolve());
  });
  // A pool of datagrams so the flood costs the sender sends, not random bytes.
  const pool = Array.from({ length: 256 }, (_, i) => datagram(o, i));
  const end = performance.now() + o.seconds * 1000;
  let sent = 0;
  while (performance.now() < end) {
    await new Promise<void>((resolve) => {
      let left = BURST;
      for (let i = 0; i < BURST; i++) {
        const bytes = pool[(sent + i) % pool.length] ?? pool[0] ?? new Uint8Array(1);
        socket.send(bytes, o.to.port, o.to.address, () => { left -= 1; if (left === 0) resolve(); });
      }
    });
    sent += BURST;
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return sent;
}

function arg(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

function parseTarget(text: string | undefined): { address: string; port: number } {
  const m = text === undefined ? null : /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (m?.[1] === undefined || m[2] === undefined) throw new Error(`--to must be ADDRESS:PORT, got ${JSON.stringify(text)}`);
  return { address: m[1], port: Number(m[2]) };
}

async function main(argv: readonly string[]): Promise<void> {
  const kind = arg(argv, '--kind') ?? 'junk';
  if (kind !== 'junk' && kind !== 'forged' && kind !== 'mixed') throw new Error(`--kind must be junk, forged or mixed, got ${JSON.stringify(kind)}`);
  const seconds = Number(arg(argv, '--seconds') ?? '4');
  const from = arg(argv, '--from');
  const forgedFrom = arg(argv, '--forged-from');
  const forgedTo = arg(argv, '--forged-to');
  const size = arg(argv, '--size');
  const sent = await flood({
    to: parseTarget(arg(argv, '--to')), seconds, kind,
    ...(from !== undefined && { from }), ...(forgedFrom !== undefined && { forgedFrom }), ...(forgedTo !== undefined && { forgedTo }),
    ...(size !== undefined && { size: Number(size) }),
  });
  process.stdout.write(`${JSON.stringify({ sent, seconds })}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`junk-flood: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
