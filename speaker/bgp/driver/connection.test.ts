// The connection's timers on a fake clock: no sockets are opened (the connector hands out sockets that never
// connect), only the timer plumbing between the clock and the pure session is under test.
import { Socket } from 'node:net';
import type { Clock } from '../../../lib/clock.js';
import { initialState, sessionConfig, type SessionAction } from '../session/index.js';
import { Connection } from './connection.js';

/** A clock whose time the test sets and whose timers fire only when the test says. */
class FakeClock implements Clock {
  nowMs = 1000;
  timers: { cb: () => void; atMs: number; cancelled: boolean }[] = [];
  monotonicMs(): number { return this.nowMs; }
  wallMs(): number { return this.nowMs; }
  setTimer(cb: () => void, delayMs: number): { cancel(): void } {
    const timer = { cb, atMs: this.nowMs + delayMs, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  /** Fires the earliest pending timer with the clock set to `atMs` (a real timer may run a little early or late). */
  fireNext(atMs: (deadline: number) => number): void {
    const next = this.timers.filter((t) => !t.cancelled).sort((a, b) => a.atMs - b.atMs)[0];
    if (next === undefined) throw new Error('no timer pending');
    next.cancelled = true;
    this.nowMs = atMs(next.atMs);
    next.cb();
  }
}

const sockets: Socket[] = [];
afterEach(() => { for (const s of sockets.splice(0)) s.destroy(); });

function connection(clock: FakeClock): { c: Connection; connects: number[]; actions: SessionAction[] } {
  const connects: number[] = [];
  const actions: SessionAction[] = [];
  const config = sessionConfig({ localAsn: 64512, routerId: '10.0.0.1', peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '192.0.2.1', connectRetryMs: 1000 });
  const c = new Connection(initialState(config), {
    clock,
    connector: () => {
      connects.push(clock.nowMs);
      const socket = new Socket(); // never connected: the test drives only timers
      sockets.push(socket);
      return socket;
    },
    onAction: (a) => actions.push(a),
    onStep: () => undefined,
  });
  return { c, connects, actions };
}

describe('Connection timers', () => {
  test('a ConnectRetry timer that fires a fraction of a ms before its deadline still counts (not taken as stale)', () => {
    const clock = new FakeClock();
    const { c, connects } = connection(clock);
    c.feed({ kind: 'ManualStart' });
    expect(connects).toHaveLength(1);
    clock.fireNext((deadline) => deadline - 0.5);
    expect(connects).toHaveLength(2);
    expect(c.state.fsm).toBe('Connect');
  });

  test('a timer the session cancels is cancelled on the clock', () => {
    const clock = new FakeClock();
    const { c, actions } = connection(clock);
    c.feed({ kind: 'ManualStart' });
    const connectRetry = clock.timers[0];
    c.feed({ kind: 'ManualStop' });
    expect(connectRetry?.cancelled).toBe(true);
    expect(actions.filter((a) => a.kind === 'cancelTimer')).toEqual([{ kind: 'cancelTimer', timer: 'connectRetry' }]);
    expect(c.state.fsm).toBe('Idle');
  });
});
