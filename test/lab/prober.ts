// The client's prober: one fresh HTTP GET to URL every INTERVAL ms, whatever the previous ones are
// doing, each printed as a JSON line with CLOCK_MONOTONIC timestamps (process.hrtime), the same clock
// the test or benchmark reads when it injects a fault, so "fault → first answer" needs no clock sync.
// Fresh connections (no agent) so that a connection to the old owner is never reused.
// With HELD > 0 it holds that many connections open instead (keep-alive, one socket each, the next request
// INTERVAL ms after the previous answer), each sample naming its connection and local port: a held connection
// that fails or moves to a new port was broken, which is what a route change under ECMP does to long-lived flows.
// Usage: prober.ts URL [INTERVAL_MS] [TIMEOUT_MS] [HELD]; started by the lab in the client's namespace.
import { Agent, request } from 'node:http';

const url = process.argv[2];
const intervalMs = Number(process.argv[3] ?? '10');
const timeoutMs = Number(process.argv[4] ?? '1000');
const held = Number(process.argv[5] ?? '0');
if (!url) {
  console.error('usage: prober.ts URL [INTERVAL_MS] [TIMEOUT_MS] [HELD]');
  process.exit(2);
}

function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

function emit(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * One GET of `target` through `agent` (false: a fresh connection), its sample emitted when it is over; a held
 * connection's (`conn`) names it and, when answered, its local port. `then` runs once the sample is out.
 */
function ask(target: string, agent: Agent | false, conn: number | undefined, then: () => void): void {
  const sent = nowMs();
  const connFields = (port?: number): object => (conn === undefined ? {} : { conn, port });
  const req = request(target, { agent, timeout: timeoutMs }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => {
      emit({ sent, done: nowMs(), ok: res.statusCode === 200, body: body.trim(), ...connFields(req.socket?.localPort) });
      then();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => {
    emit({ sent, done: nowMs(), ok: false, error: err.message, ...connFields() });
    then();
  });
  req.end();
}

/** One held connection: a keep-alive agent with a single socket, asked again INTERVAL ms after each answer. */
function hold(target: string, conn: number): void {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const next = (): void => ask(target, agent, conn, () => setTimeout(next, intervalMs));
  next();
}

emit({ ready: nowMs() });
if (held > 0) for (let conn = 0; conn < held; conn++) hold(url, conn);
else setInterval(() => ask(url, false, undefined, () => undefined), intervalMs);
process.on('SIGTERM', () => process.exit(0));
