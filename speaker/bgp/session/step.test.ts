// The RFC 4271 §8.2.2 transitions as a table: state × event → state + actions. Actions are summarised as
// "send:<type>[ code/subcode]", "arm:<timer>", "cancel:<timer>", "down:<reason>" and the bare kinds.
import { ERROR_CODE, type NotificationMessage, type OpenMessage } from '../messages/index.js';
import { OPEN_SENT_HOLD_MS, sessionConfig, type SessionConfig } from './config.js';
import { buildOpen } from './negotiate.js';
import { initialState, type FsmState, type SessionAction, type SessionEvent, type SessionState } from './state.js';
import { step } from './step.js';

const CONFIG = sessionConfig({ localAsn: 64512, routerId: '10.0.0.1', peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '10.0.0.2', holdTimeSeconds: 9, connectRetryMs: 1000 });
const PEER_OPEN: OpenMessage = buildOpen({ ...CONFIG, localAsn: 64513, routerId: '10.0.0.2' }, false);
const NOTIF = (code: number, subcode: number): NotificationMessage => ({ type: 'notification', code, subcode, data: new Uint8Array(0) });

function summary(action: SessionAction): string {
  switch (action.kind) {
    case 'send': return action.message.type === 'notification' ? `send:notification ${action.message.code}/${action.message.subcode}` : `send:${action.message.type}`;
    case 'armTimer': return `arm:${action.timer}`;
    case 'cancelTimer': return `cancel:${action.timer}`;
    case 'down': return `down:${action.reason}`;
    default: return action.kind;
  }
}

function run(state: SessionState, events: SessionEvent[], nowMs = 0): SessionState {
  return events.reduce((s, e) => step(s, e, nowMs).state, state);
}

/** Each event a million ms after the one before, so every timer armed meanwhile is due. */
function runTimed(state: SessionState, events: SessionEvent[], fromMs: number): SessionState {
  return events.reduce((s, e, i) => step(s, e, fromMs + i * 1e6).state, state);
}

const TIMER_OF: Partial<Record<SessionEvent['kind'], keyof SessionState['timers']>> = {
  HoldTimer_Expires: 'hold', KeepaliveTimer_Expires: 'keepalive', ConnectRetryTimer_Expires: 'connectRetry', IdleHoldTimer_Expires: 'idleHold',
};

type Builder = (config?: Partial<SessionConfig>) => SessionState;
const fresh: Builder = (c = {}) => initialState({ ...CONFIG, ...c });
const at: Record<FsmState, Builder> = {
  Idle: fresh,
  Connect: (c) => run(fresh(c), [{ kind: 'ManualStart' }]),
  Active: (c) => run(fresh({ ...c, passive: true }), [{ kind: 'ManualStart' }]),
  OpenSent: (c) => run(at.Connect(c), [{ kind: 'Tcp_CR_Acked' }]),
  OpenConfirm: (c) => run(at.OpenSent(c), [{ kind: 'BGPOpen', open: PEER_OPEN }]),
  Established: (c) => run(at.OpenConfirm(c), [{ kind: 'KeepAliveMsg' }]),
};

const ALL_TIMERS_OFF = ['cancel:connectRetry', 'cancel:hold', 'cancel:keepalive'];

// [RFC section and event, from, event, to, actions]
const TABLE: [string, FsmState, SessionEvent, FsmState, string[]][] = [
  ['§8.2.2 Idle, Event 1 ManualStart: connect, ConnectRetryTimer, Connect', 'Idle', { kind: 'ManualStart' }, 'Connect', ['connect', 'arm:connectRetry']],
  ['§8.2.2 Idle, Event 18 ignored', 'Idle', { kind: 'TcpConnectionFails' }, 'Idle', ['ignored']],
  ['§8.2.2 Idle, Event 17 refused', 'Idle', { kind: 'TcpConnectionConfirmed' }, 'Idle', ['close']],
  ['§8.2.2 Idle, Event 2 ManualStop ignored', 'Idle', { kind: 'ManualStop' }, 'Idle', []],
  ['§8.2.2 Connect, Event 2 ManualStop: drop the connection, Idle', 'Connect', { kind: 'ManualStop' }, 'Idle', ['close', 'cancel:connectRetry', 'down:manualStop']],
  ['§8.2.2 Connect, Event 9: retry the connection', 'Connect', { kind: 'ConnectRetryTimer_Expires' }, 'Connect', ['close', 'connect', 'arm:connectRetry']],
  ['§8.2.2 Connect, Event 16: OPEN, large hold timer, OpenSent', 'Connect', { kind: 'Tcp_CR_Acked' }, 'OpenSent', ['cancel:connectRetry', 'send:open', 'arm:hold']],
  ['§8.2.2 Connect, Event 18: Idle, restart after the idle hold', 'Connect', { kind: 'TcpConnectionFails' }, 'Idle', ['close', 'cancel:connectRetry', 'arm:idleHold', 'down:connectFailed']],
  ['§8.2.2 Connect, Event 26 (other): Idle', 'Connect', { kind: 'KeepAliveMsg' }, 'Idle', ['close', 'cancel:connectRetry', 'arm:idleHold', 'down:fsmError']],
  ['§8.2.2 Active (passive), Event 17: OPEN, OpenSent', 'Active', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', ['send:open', 'arm:hold']],
  ['§8.2.2 Active (passive), Event 2: Idle', 'Active', { kind: 'ManualStop' }, 'Idle', ['down:manualStop']],
  ['§8.2.2 OpenSent, Event 2: Cease, Idle', 'OpenSent', { kind: 'ManualStop' }, 'Idle', ['send:notification 6/2', 'close', 'cancel:hold', 'down:manualStop']],
  ['§8.2.2 OpenSent, Event 10: Hold Timer Expired', 'OpenSent', { kind: 'HoldTimer_Expires' }, 'Idle', ['send:notification 4/0', 'close', 'arm:idleHold', 'down:holdTimerExpired']],
  ['§8.2.2 OpenSent, Event 18: close, ConnectRetryTimer, Active', 'OpenSent', { kind: 'TcpConnectionFails' }, 'Active', ['cancel:hold', 'close', 'arm:connectRetry']],
  ['§8.2.2 OpenSent, Event 19: KEEPALIVE, timers, OpenConfirm', 'OpenSent', { kind: 'BGPOpen', open: PEER_OPEN }, 'OpenConfirm', ['send:keepalive', 'arm:keepalive', 'arm:hold']],
  ['§8.2.2 OpenSent, Event 19 with a bad peer AS: Bad Peer AS, Idle', 'OpenSent', { kind: 'BGPOpen', open: { ...PEER_OPEN, myAutonomousSystem: 1, capabilities: [] } }, 'Idle', ['send:notification 2/2', 'close', 'cancel:hold', 'arm:idleHold', 'down:openRejected']],
  ['§8.2.2 OpenSent, Event 21: the header error, Idle', 'OpenSent', { kind: 'BGPHeaderErr', notification: NOTIF(1, 2) }, 'Idle', ['send:notification 1/2', 'close', 'cancel:hold', 'arm:idleHold', 'down:messageError']],
  ['§8.2.2 OpenSent, Event 22: the OPEN error, Idle', 'OpenSent', { kind: 'BGPOpenMsgErr', notification: NOTIF(2, 6) }, 'Idle', ['send:notification 2/6', 'close', 'cancel:hold', 'arm:idleHold', 'down:messageError']],
  ['§8.2.2 OpenSent, Event 23: Cease collision, Idle', 'OpenSent', { kind: 'OpenCollisionDump' }, 'Idle', ['send:notification 6/7', 'close', 'cancel:hold', 'arm:idleHold', 'down:collision']],
  ['§8.2.2 OpenSent, Event 25: Idle', 'OpenSent', { kind: 'NotifMsg', notification: NOTIF(6, 2) }, 'Idle', ['close', 'cancel:hold', 'arm:idleHold', 'down:notificationReceived']],
  ['§8.2.2 OpenSent, Event 26: FSM Error (RFC 6608 subcode 1)', 'OpenSent', { kind: 'KeepAliveMsg' }, 'Idle', ['send:notification 5/1', 'close', 'cancel:hold', 'arm:idleHold', 'down:fsmError']],
  ['§8.2.2 OpenSent, Event 17: a second connection is the driver\'s', 'OpenSent', { kind: 'TcpConnectionConfirmed' }, 'OpenSent', ['ignored']],
  ['§8.2.2 OpenConfirm, Event 26: Established, End-of-RIB per family', 'OpenConfirm', { kind: 'KeepAliveMsg' }, 'Established', ['arm:hold', 'established', 'send:update', 'send:update']],
  ['§8.2.2 OpenConfirm, Event 19: FSM Error (subcode 2)', 'OpenConfirm', { kind: 'BGPOpen', open: PEER_OPEN }, 'Idle', ['send:notification 5/2', 'close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:fsmError']],
  ['§8.2.2 OpenConfirm, Event 18: Idle', 'OpenConfirm', { kind: 'TcpConnectionFails' }, 'Idle', ['close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:tcpClosed']],
  ['§8.2.2 Established, Event 26: restart the hold timer', 'Established', { kind: 'KeepAliveMsg' }, 'Established', ['arm:hold']],
  ['§8.2.2 Established, Event 27: restart the hold timer, keep nothing', 'Established', { kind: 'UpdateMsg', decoding: { action: 'accept', update: { type: 'update', withdrawnRoutes: [], pathAttributes: [], nlri: [] }, discarded: [] } }, 'Established', ['arm:hold']],
  ['§8.2.2 Established, Event 27 treat-as-withdraw (RFC 7606): the session stays', 'Established', { kind: 'UpdateMsg', decoding: { action: 'treatAsWithdraw', withdrawn: [], problems: [{ typeCode: 1, name: 'ORIGIN', handling: 'treatAsWithdraw', subcode: 6, reason: 'bad', data: new Uint8Array(0) }] } }, 'Established', ['updateProblems', 'arm:hold']],
  ['§8.2.2 Established, Event 28: the UPDATE error, Idle', 'Established', { kind: 'UpdateMsgErr', notification: NOTIF(3, 1) }, 'Idle', ['send:notification 3/1', 'close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:messageError']],
  ['§8.2.2 Established, Event 8 AutomaticStop (BFD Down, RFC 5882): Cease 6/10 (RFC 9384), Idle, restart after the idle hold', 'Established', { kind: 'AutomaticStop', cause: 'bfdDown', detail: 'BFD went Down' }, 'Idle', ['send:notification 6/10', 'close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:bfdDown']],
  ['§8.2.2 OpenConfirm, Event 8 AutomaticStop (BFD Down): Cease 6/10, Idle', 'OpenConfirm', { kind: 'AutomaticStop', cause: 'bfdDown', detail: 'BFD went Down' }, 'Idle', ['send:notification 6/10', 'close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:bfdDown']],
  ['§8.2.2 Connect, Event 8 AutomaticStop (BFD Down): drop the attempt, Idle, restart after the idle hold', 'Connect', { kind: 'AutomaticStop', cause: 'bfdDown', detail: 'BFD went Down' }, 'Idle', ['close', 'cancel:connectRetry', 'arm:idleHold', 'down:bfdDown']],
  ['§8.2.2 Idle, Event 8 AutomaticStop ignored (nothing to stop)', 'Idle', { kind: 'AutomaticStop', cause: 'bfdDown', detail: 'BFD went Down' }, 'Idle', ['ignored']],
  ['§8.2.2 Established, Event 2: Cease, Idle', 'Established', { kind: 'ManualStop' }, 'Idle', ['send:notification 6/2', 'close', ...ALL_TIMERS_OFF.slice(1), 'down:manualStop']],
  ['§8.2.2 Established, Event 19: FSM Error (subcode 3)', 'Established', { kind: 'BGPOpen', open: PEER_OPEN }, 'Idle', ['send:notification 5/3', 'close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:fsmError']],
  ['§8.2.2 Established, Event 25: Idle', 'Established', { kind: 'NotifMsg', notification: NOTIF(6, 4) }, 'Idle', ['close', ...ALL_TIMERS_OFF.slice(1), 'arm:idleHold', 'down:notificationReceived']],
  ['RFC 2918 §4 Established, ROUTE-REFRESH for an unnegotiated family: ignored', 'Established', { kind: 'RouteRefreshMsg', refresh: { type: 'routeRefresh', afi: 25, subtype: 0, safi: 65 } }, 'Established', ['ignored']],
];

describe('RFC 4271 §8.2.2 transitions', () => {
  test.each(TABLE)('%s', (_name, from, event, to, actions) => {
    const before = at[from]();
    const timer = TIMER_OF[event.kind];
    const { state, actions: taken } = step(before, event, (timer === undefined ? null : before.timers[timer]) ?? 5000);
    expect(state.fsm).toBe(to);
    expect(taken.map(summary)).toEqual(actions);
  });
});

describe('RFC 4271 §8.2.2 timers', () => {
  test('OpenSent holds for 4 minutes (the "large value")', () => {
    const { actions } = step(at.Connect(), { kind: 'Tcp_CR_Acked' }, 1000);
    expect(actions).toContainEqual({ kind: 'armTimer', timer: 'hold', atMs: 1000 + OPEN_SENT_HOLD_MS });
  });

  test('OpenConfirm arms hold at the negotiated time and keepalive at a third of it', () => {
    const { actions } = step(at.OpenSent(), { kind: 'BGPOpen', open: { ...PEER_OPEN, holdTime: 6 } }, 1000);
    expect(actions).toContainEqual({ kind: 'armTimer', timer: 'hold', atMs: 7000 });
    expect(actions).toContainEqual({ kind: 'armTimer', timer: 'keepalive', atMs: 3000 });
  });

  test('a timer expiry the state no longer runs is ignored (stale)', () => {
    const established = at.Established();
    const { state, actions } = step(established, { kind: 'ConnectRetryTimer_Expires' }, 6000);
    expect(state).toBe(established);
    expect(actions.map(summary)).toEqual(['ignored']);
  });

  test('a hold expiry queued before the timer was re-armed is ignored', () => {
    const s = step(at.Established(), { kind: 'KeepAliveMsg' }, 8000).state; // hold now at 17 000
    expect(step(s, { kind: 'HoldTimer_Expires' }, 9000).state.fsm).toBe('Established');
    expect(step(s, { kind: 'HoldTimer_Expires' }, 17_000).state.fsm).toBe('Idle');
  });

  test('Established, Event 11: KEEPALIVE and the timer again', () => {
    const s = at.Established();
    const due = s.timers.keepalive ?? 0;
    const { actions } = step(s, { kind: 'KeepaliveTimer_Expires' }, due);
    expect(actions).toEqual([{ kind: 'send', message: { type: 'keepalive' } }, { kind: 'armTimer', timer: 'keepalive', atMs: due + 3000 }]);
  });
});

describe('retry backoff', () => {
  /** Fails the connection `n` times and returns the idle-hold delays. */
  function delays(n: number, config: Partial<SessionConfig> = {}): number[] {
    let s = run(fresh(config), [{ kind: 'ManualStart' }], 0);
    const found: number[] = [];
    let now = 0;
    for (let i = 0; i < n; i++) {
      const failed = step(s, { kind: 'TcpConnectionFails' }, now);
      const hold = failed.state.timers.idleHold ?? 0;
      found.push(hold - now);
      now = hold;
      s = step(failed.state, { kind: 'IdleHoldTimer_Expires' }, now).state;
    }
    return found;
  }

  test('doubles per failure up to the cap, each within the RFC 4271 §10 jitter (0.75-1)', () => {
    const found = delays(10, { connectRetryMs: 1000, connectRetryMaxMs: 30_000 });
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000];
    found.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0.75 * (ceilings[i] ?? 0));
      expect(d).toBeLessThanOrEqual(ceilings[i] ?? 0);
    });
  });

  test('the jitter comes from the seed: same seed same delays, another seed others', () => {
    expect(delays(5, { seed: 7 })).toEqual(delays(5, { seed: 7 }));
    expect(delays(5, { seed: 7 })).not.toEqual(delays(5, { seed: 8 }));
  });

  test('Established resets the backoff', () => {
    let s = runTimed(fresh(), [{ kind: 'ManualStart' }, { kind: 'TcpConnectionFails' }, { kind: 'IdleHoldTimer_Expires' }, { kind: 'TcpConnectionFails' }], 0);
    expect(s.connectRetryCounter).toBe(2);
    s = runTimed(s, [{ kind: 'IdleHoldTimer_Expires' }, { kind: 'Tcp_CR_Acked' }, { kind: 'BGPOpen', open: PEER_OPEN }, { kind: 'KeepAliveMsg' }], 10e6);
    expect(s.fsm).toBe('Established');
    expect(s.connectRetryCounter).toBe(0);
  });

  test('after ManualStop nothing restarts', () => {
    const s = run(at.Established(), [{ kind: 'ManualStop' }]);
    expect(s.timers.idleHold).toBeNull();
    expect(step(s, { kind: 'IdleHoldTimer_Expires' }, 1e9).actions.map(summary)).toEqual(['ignored']);
  });

  test('a passive session listens again at once after a failure', () => {
    const s = runTimed(at.Active(), [{ kind: 'TcpConnectionConfirmed' }, { kind: 'HoldTimer_Expires' }], 1e6);
    expect(s.fsm).toBe('Active');
    expect(s.timers).toEqual({ connectRetry: null, hold: null, keepalive: null, idleHold: null });
  });
});

describe('down carries the last NOTIFICATION', () => {
  test('received', () => {
    const { actions } = step(at.Established(), { kind: 'NotifMsg', notification: NOTIF(ERROR_CODE.CEASE, 2) }, 5000);
    expect(actions.find((a) => a.kind === 'down')).toMatchObject({ wasEstablished: true, notification: { direction: 'received', message: { code: 6, subcode: 2 } } });
  });

  test('an Unsupported Version Number NOTIFICATION (Event 24) does not grow the backoff', () => {
    expect(step(at.OpenSent(), { kind: 'NotifMsg', notification: NOTIF(2, 1) }, 5000).state.connectRetryCounter).toBe(0);
    expect(step(at.OpenSent(), { kind: 'NotifMsg', notification: NOTIF(6, 2) }, 5000).state.connectRetryCounter).toBe(1);
  });

  test('ManualStop with a shutdown communication sends it (RFC 9003)', () => {
    const { actions } = step(at.Established(), { kind: 'ManualStop', communication: 'maintenance' }, 5000);
    const sent = actions.find((a) => a.kind === 'send');
    expect(sent).toMatchObject({ message: { code: 6, subcode: 2, data: Uint8Array.of(11, ...new TextEncoder().encode('maintenance')) } });
  });
});
