// The control-plane pool's wire: one JSON request and one JSON answer per connection, each a line, over the
// Unix socket pool-daemon.ts listens on. startApiBackend takes from the pool when HERALD_CP_POOL names that socket.
import { createConnection } from 'node:net';
import { stopControlPlane, type ControlPlane, type ControlPlaneState } from './controlplane.js';

/** The environment variable that carries the pool's socket path to the test workers. */
export const POOL_ENV = 'HERALD_CP_POOL';

export type PoolRequest = { op: 'take' } | { op: 'release'; dir: string } | { op: 'shutdown' };
export type PoolAnswer = { ok: true; controlPlane?: ControlPlaneState } | { ok: false; error: string };

/** Sends one request to the pool at `socketPath` and resolves with its answer (rejects if the pool is gone). */
export function askPool(socketPath: string, request: PoolRequest): Promise<PoolAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end < 0) return;
      socket.end();
      resolve(JSON.parse(received.slice(0, end)) as PoolAnswer);
    });
    socket.on('error', (err) => reject(new Error(`the control-plane pool at ${socketPath}: ${err.message}`, { cause: err })));
    socket.on('close', () => reject(new Error(`the control-plane pool at ${socketPath} closed the connection without an answer to ${request.op}`)));
  });
}

/**
 * A fresh control plane from the pool. Its stop() hands it back, to be stopped in the background; should the pool
 * be gone by then, it is stopped here, so that no process outlives the test.
 */
export async function takeControlPlane(socketPath: string): Promise<ControlPlane> {
  const answer = await askPool(socketPath, { op: 'take' });
  if (!answer.ok) throw new Error(`the control-plane pool could not hand out a control plane: ${answer.error}`);
  if (!answer.controlPlane) throw new Error(`the control-plane pool at ${socketPath} answered a take without a control plane`);
  const state = answer.controlPlane;
  const stop = async (): Promise<void> => {
    const released = await askPool(socketPath, { op: 'release', dir: state.dir }).catch(() => undefined);
    if (released?.ok) return;
    if (released) throw new Error(`the control-plane pool refused to take back ${state.dir}: ${released.error}`);
    await stopControlPlane(state.dir);
  };
  return { ...state, stop };
}
