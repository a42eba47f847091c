// The control-plane pool as a process of its own (jest runs each test file in its own module registry, so the pool
// cannot live in a test file): `node --import tsx test/cluster/pool-daemon.ts --socket PATH [--spares N]`.
// Writes "ready" on stdout once it listens. It ends, after stopping every control plane it started, when asked
// (a "shutdown" request, which it answers once all have stopped), on SIGTERM/SIGINT, and when its parent goes
// (its stdin closes, or it is re-parented): a crashed jest leaves no control plane behind.
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane, stopControlPlane, type ControlPlaneState } from './controlplane.js';
import { ControlPlanePool } from './pool.js';
import type { PoolAnswer, PoolRequest } from './pool-client.js';

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

async function startFresh(): Promise<ControlPlaneState> {
  const began = Date.now();
  const { stop: _stop, ...state } = await startControlPlane({ dir: mkdtempSync(join(tmpdir(), 'herald-cluster-')) });
  log(`started ${state.dir} (${state.url}) in ${Date.now() - began} ms`);
  return state;
}

async function stopLogged(dir: string): Promise<void> {
  const began = Date.now();
  await stopControlPlane(dir);
  log(`stopped ${dir} in ${Date.now() - began} ms`);
}

async function answer(pool: ControlPlanePool, request: PoolRequest): Promise<PoolAnswer> {
  switch (request.op) {
    case 'take': return { ok: true, controlPlane: await pool.take() };
    case 'release': pool.release(request.dir); return { ok: true };
    case 'shutdown': await pool.shutdown(); return { ok: true };
    default: throw new Error(`unknown request ${JSON.stringify(request)}`);
  }
}

/** The request on `line`, or undefined when it is no JSON object with an `op` (answer() refuses an unknown op). */
function parseRequest(line: string): PoolRequest | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && 'op' in parsed ? (parsed as PoolRequest) : undefined;
  } catch {
    return undefined;
  }
}

/** One request per connection: the first line is read, answered, and the connection closed. */
function serve(pool: ControlPlanePool, socket: Socket, onShutdown: () => void): void {
  let received = '';
  const onData = (chunk: string): void => {
    received += chunk;
    const end = received.indexOf('\n');
    if (end < 0) return;
    socket.off('data', onData);
    const line = received.slice(0, end);
    const request = parseRequest(line);
    if (!request) return void socket.end(`${JSON.stringify({ ok: false, error: `not a request (a JSON object with an op): ${line.slice(0, 200)}` })}\n`);
    const began = Date.now();
    answer(pool, request)
      .catch((err: unknown): PoolAnswer => ({ ok: false, error: err instanceof Error ? err.message : String(err) }))
      .then((reply) => {
        log(`${request.op}${request.op === 'release' ? ` ${request.dir}` : ''} answered in ${Date.now() - began} ms: ${JSON.stringify(pool.counts())}`);
        socket.end(`${JSON.stringify(reply)}\n`, () => { if (request.op === 'shutdown') onShutdown(); });
      }, () => undefined);
  };
  socket.setEncoding('utf8').on('data', onData);
  socket.on('error', () => undefined); // a client that went away mid-answer
}

function main(): void {
  const { values } = parseArgs({ options: { socket: { type: 'string' }, spares: { type: 'string', default: '1' } } });
  if (!values.socket) throw new Error('pool-daemon: --socket PATH is required');
  const pool = new ControlPlanePool({ start: startFresh, stop: stopLogged }, Number(values.spares));
  const parent = process.ppid;
  let ending = false;
  const end = (why: string): void => {
    if (ending) return;
    ending = true;
    log(`ending: ${why}`);
    server.close();
    pool.shutdown().then(() => process.exit(0), (err: unknown) => { log(String(err)); process.exit(1); });
  };
  const server = createServer((socket) => serve(pool, socket, () => end('asked to shut down')));
  server.listen(values.socket, () => {
    pool.fill();
    process.stdout.write('ready\n');
  });
  process.stdin.on('end', () => end('its parent closed stdin')).resume();
  process.on('SIGTERM', () => end('SIGTERM')).on('SIGINT', () => end('SIGINT'));
  setInterval(() => { if (process.ppid !== parent) end(`its parent ${parent} is gone`); }, 1000).unref();
}

main();
