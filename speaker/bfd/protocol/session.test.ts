// The session state machine case by case: tables over bfd.SessionState and the received State (RFC 5880
// §6.8.6), the timers (§6.8.4, §6.8.7), Poll/Final (§6.5) and the rules on what may be sent.
import {
  detectAtMs,
  detectionTimeMs,
  openSession,
  step,
  transmitIntervalMs,
  type BfdSession,
  type ControlPacket,
  type SessionAction,
  type SessionConfig,
  type SessionState,
} from './index.js';
import { packetWith } from './fixtures.js';

const LOCAL = 0x22222222;
const REMOTE = 0x11111111;

function config(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return { localDiscriminator: LOCAL, desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3, passive: false, ...overrides };
}

/** A packet from the peer (discriminator REMOTE, addressed to LOCAL, 50 ms × 3). */
function fromPeer(overrides: Partial<ControlPacket> = {}): ControlPacket {
  return packetWith({ myDiscriminator: REMOTE, yourDiscriminator: LOCAL, desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, ...overrides });
}

function received(s: BfdSession, packet: ControlPacket, nowMs: number) {
  return step(s, { kind: 'received', packet }, nowMs);
}

/** A session brought to `state` by the handshake, at time 1000, with its poll (if any) answered. */
function sessionIn(state: SessionState, overrides: Partial<SessionConfig> = {}): BfdSession {
  let s = openSession(config(overrides), 0, 42).state;
  if (state === 'Down') return s;
  if (state === 'AdminDown') return step(s, { kind: 'adminDown' }, 1000).state;
  s = received(s, fromPeer({ state: 'Down', yourDiscriminator: 0 }), 1000).state;
  if (state === 'Init') return s;
  s = received(s, fromPeer({ state: 'Up' }), 1000).state;
  return received(s, fromPeer({ state: 'Up', final: true }), 1000).state;
}

const sends = (actions: SessionAction[]) => actions.flatMap((a) => (a.kind === 'send' ? [a.packet] : []));
const kinds = (actions: SessionAction[]) => actions.map((a) => a.kind);

describe('opening a session (RFC 5880 §6.8.1, §6.1)', () => {
  test('an active session starts Down and arms its transmit timer to send at once', () => {
    const { state, actions } = openSession(config(), 500, 1);
    expect(state).toMatchObject({ sessionState: 'Down', remoteSessionState: 'Down', remoteDiscr: 0, localDiag: 0, remoteMinRxInterval: 1, pollSequence: false });
    expect(actions).toEqual([{ kind: 'armTransmitTimer', atMs: 500 }]);
  });

  test('a passive session arms nothing (§6.1: no packets before the peer has been heard)', () => {
    expect(openSession(config({ passive: true }), 500, 1).actions).toEqual([]);
  });

  test('its first packet: Down, Your Discriminator 0, Desired Min TX at least 1 s while not Up (§6.8.3), no P, F, C, A, D or M', () => {
    const opened = openSession(config(), 0, 1).state;
    const { actions } = step(opened, { kind: 'transmitTimer' }, 0);
    expect(sends(actions)).toEqual([{
      diagnostic: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false,
      detectMult: 3, myDiscriminator: LOCAL, yourDiscriminator: 0, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 50_000,
      requiredMinEchoRxInterval: 0,
    }]);
  });

  test('a Desired Min TX above 1 s is advertised as configured', () => {
    expect(openSession(config({ desiredMinTxInterval: 2_000_000 }), 0, 1).state.advertised.desiredMinTxInterval).toBe(2_000_000);
  });

  test.each([
    [{ localDiscriminator: 0 }, 'bfd local discriminator 0 is not in 1..4294967295 (§6.8.1: nonzero)'],
    [{ desiredMinTxInterval: 0 }, 'bfd desired min tx interval 0 µs is not in 1..4294967295'],
    [{ requiredMinRxInterval: -1 }, 'bfd required min rx interval -1 µs is not in 0..4294967295'],
    [{ detectMult: 0 }, 'bfd detect mult 0 is not in 1..255'],
    [{ detectMult: 256 }, 'bfd detect mult 256 is not in 1..255'],
  ])('config %j is refused', (overrides, message) => {
    expect(() => openSession(config(overrides), 0, 1)).toThrow(message);
  });
});

describe('state transitions on a received packet (RFC 5880 §6.8.6)', () => {
  const rows: [from: SessionState, receivedState: SessionState, to: SessionState, diag: number, reported: string[]][] = [
    // "If bfd.SessionState is Down: If received State is Down: Set bfd.SessionState to Init"
    ['Down', 'Down', 'Init', 0, ['stateChanged']],
    // "Else if received State is Init: Set bfd.SessionState to Up"
    ['Down', 'Init', 'Up', 0, ['stateChanged', 'sessionUp']],
    ['Down', 'Up', 'Down', 0, []],
    // "If received state is AdminDown: If bfd.SessionState is not Down: ..." - it is Down: nothing.
    ['Down', 'AdminDown', 'Down', 0, []],
    ['Init', 'Down', 'Init', 0, []],
    // "Else if bfd.SessionState is Init: If received State is Init or Up: Set bfd.SessionState to Up"
    ['Init', 'Init', 'Up', 0, ['stateChanged', 'sessionUp']],
    ['Init', 'Up', 'Up', 0, ['stateChanged', 'sessionUp']],
    // "Set bfd.LocalDiag to 3 (Neighbor signaled session down), Set bfd.SessionState to Down"
    ['Init', 'AdminDown', 'Down', 3, ['stateChanged']],
    // "Else (bfd.SessionState is Up): If received State is Down: Set bfd.LocalDiag to 3 ..."
    ['Up', 'Down', 'Down', 3, ['stateChanged', 'sessionDown']],
    ['Up', 'Init', 'Up', 0, []],
    ['Up', 'Up', 'Up', 0, []],
    ['Up', 'AdminDown', 'Down', 3, ['stateChanged', 'sessionDown']],
  ];

  test.each(rows)('%s, received %s -> %s (diag %i)', (from, receivedState, to, diag, reported) => {
    const yourDiscriminator = receivedState === 'Down' || receivedState === 'AdminDown' ? 0 : LOCAL;
    const { state, actions } = received(sessionIn(from), fromPeer({ state: receivedState, yourDiscriminator }), 2000);
    expect([state.sessionState, state.localDiag]).toEqual([to, diag]);
    expect(kinds(actions).filter((k) => ['stateChanged', 'sessionUp', 'sessionDown'].includes(k))).toEqual(reported);
    if (reported.includes('sessionDown')) expect(actions).toContainEqual({ kind: 'sessionDown', diagnostic: 3 });
  });

  test('the peer\'s fields are taken in: bfd.RemoteDiscr, RemoteSessionState, RemoteDemandMode, RemoteMinRxInterval', () => {
    const { state } = received(sessionIn('Down'), fromPeer({ state: 'Init', myDiscriminator: 7, demand: true, requiredMinRxInterval: 20_000, desiredMinTxInterval: 30_000, detectMult: 5 }), 2000);
    expect(state).toMatchObject({ remoteDiscr: 7, remoteSessionState: 'Init', remoteDemandMode: true, remoteMinRxInterval: 20_000, remoteDesiredMinTxInterval: 30_000, remoteDetectMult: 5, lastReceivedAtMs: 2000 });
  });

  test('a packet for another session (Your Discriminator not ours) is dropped and changes nothing', () => {
    const s = sessionIn('Up');
    const { state, actions } = received(s, fromPeer({ yourDiscriminator: 99, state: 'Down' }), 2000);
    expect(state).toBe(s);
    expect(actions).toEqual([{ kind: 'dropped', reason: 'yourDiscriminatorMismatch', detail: `your discriminator 99 is not this session's ${LOCAL}` }]);
  });

  test('in AdminDown a packet is discarded after its fields are noted, and a Poll in it gets no Final', () => {
    const { state, actions } = received(sessionIn('AdminDown'), fromPeer({ state: 'Down', yourDiscriminator: 0, poll: true, myDiscriminator: 5 }), 2000);
    expect(state.sessionState).toBe('AdminDown');
    expect(state.remoteDiscr).toBe(5);
    expect(actions).toEqual([{ kind: 'dropped', reason: 'sessionAdminDown', detail: 'packet in state Down while AdminDown' }]);
  });

  test('the Demand bit is recorded and ignored: periodic transmission goes on (Herald does not run Demand mode)', () => {
    const { state, actions } = received(sessionIn('Up'), fromPeer({ demand: true }), 2000);
    expect(state.remoteDemandMode).toBe(true);
    expect(state.transmitAtMs).toBeDefined();
    expect(kinds(actions)).not.toContain('cancelTransmitTimer');
    expect(sends(step(state, { kind: 'transmitTimer' }, state.transmitAtMs!).actions).map((p) => p.demand)).toEqual([false]);
  });
});

describe('Poll and Final (RFC 5880 §6.5, §6.8.7)', () => {
  test.each(['Down', 'Init', 'Up'] as const)('a Poll is answered at once with F set and P clear, in state %s', (state) => {
    const yourDiscriminator = state === 'Up' ? LOCAL : 0;
    const { actions } = received(sessionIn(state), fromPeer({ poll: true, state: state === 'Up' ? 'Up' : 'Down', yourDiscriminator }), 2000);
    const answers = sends(actions);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ poll: false, final: true, myDiscriminator: LOCAL, yourDiscriminator: REMOTE });
  });

  test('going Up starts a Poll Sequence; the Final that answers the Up packet may already carry the new interval', () => {
    const { state, actions } = received(sessionIn('Init'), fromPeer({ state: 'Up', poll: true }), 2000);
    expect(state.pollSequence).toBe(true);
    expect(state.advertised.desiredMinTxInterval).toBe(50_000);
    expect(sends(actions)).toEqual([expect.objectContaining({ final: true, poll: false, state: 'Up', desiredMinTxInterval: 50_000 })]);
    // The lowered Desired Min TX is used at once (§6.8.3 holds back only a raise), so the next packet is
    // brought forward from the slow schedule.
    expect(transmitIntervalMs(state)).toBe(50);
    expect(state.transmitAtMs! - 2000).toBeLessThanOrEqual(50);
  });

  test('the periodic packets carry P until a packet with F arrives', () => {
    let s = received(sessionIn('Init'), fromPeer({ state: 'Up' }), 2000).state;
    for (let i = 0; i < 3; i++) {
      const at = s.transmitAtMs!;
      const r = step(s, { kind: 'transmitTimer' }, at);
      expect(sends(r.actions).map((p) => [p.poll, p.final])).toEqual([[true, false]]);
      s = r.state;
    }
    s = received(s, fromPeer({ state: 'Up', final: true }), s.transmitAtMs! - 1).state;
    expect(s.pollSequence).toBe(false);
    expect(sends(step(s, { kind: 'transmitTimer' }, s.transmitAtMs!).actions).map((p) => p.poll)).toEqual([false]);
  });

  test('an F while no Poll Sequence runs changes nothing', () => {
    const s = sessionIn('Up');
    expect(received(s, fromPeer({ final: true }), 2000).state.inEffect).toEqual(s.inEffect);
  });

  test('a change during a Poll Sequence waits for its F, then is polled on its own', () => {
    const up = sessionIn('Up');
    const timers = (desiredMinTxInterval: number) => ({ kind: 'configure' as const, timers: { desiredMinTxInterval, requiredMinRxInterval: 50_000, detectMult: 3 } });
    let s = step(up, timers(100_000), 2000).state;
    s = step(s, timers(300_000), 2001).state;
    expect([s.pollSequence, s.advertised.desiredMinTxInterval, s.inEffect.desiredMinTxInterval]).toEqual([true, 100_000, 50_000]);
    s = received(s, fromPeer({ final: true }), 2002).state;
    expect([s.pollSequence, s.advertised.desiredMinTxInterval, s.inEffect.desiredMinTxInterval]).toEqual([true, 300_000, 100_000]);
    s = received(s, fromPeer({ final: true }), 2003).state;
    expect([s.pollSequence, s.advertised.desiredMinTxInterval, s.inEffect.desiredMinTxInterval]).toEqual([false, 300_000, 300_000]);
  });

  test('a Detect Mult change needs no Poll and is carried at once', () => {
    const s = step(sessionIn('Up'), { kind: 'configure', timers: { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 5 } }, 2000).state;
    expect(s.pollSequence).toBe(false);
    expect(sends(step(s, { kind: 'transmitTimer' }, s.transmitAtMs!).actions)[0]!.detectMult).toBe(5);
  });

  test('configure refuses impossible timers', () => {
    expect(() => step(sessionIn('Up'), { kind: 'configure', timers: { desiredMinTxInterval: 1.5, requiredMinRxInterval: 0, detectMult: 3 } }, 0))
      .toThrow('bfd desired min tx interval 1.5 µs is not in 1..4294967295');
  });
});

describe('timers (RFC 5880 §6.8.4, §6.8.7)', () => {
  test('transmit interval: the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval', () => {
    expect(transmitIntervalMs(received(sessionIn('Up'), fromPeer({ requiredMinRxInterval: 70_000 }), 2000).state)).toBe(70);
    expect(transmitIntervalMs(received(sessionIn('Up'), fromPeer({ requiredMinRxInterval: 10_000 }), 2000).state)).toBe(50);
  });

  test('detection time: the peer\'s Detect Mult × the larger of bfd.RequiredMinRxInterval and its Desired Min TX', () => {
    const slowPeer = received(sessionIn('Up'), fromPeer({ detectMult: 4, desiredMinTxInterval: 80_000 }), 2000).state;
    expect(detectionTimeMs(slowPeer)).toBe(320);
    expect(detectAtMs(slowPeer)).toBe(2320);
    const fastPeer = received(sessionIn('Up'), fromPeer({ detectMult: 2, desiredMinTxInterval: 10_000 }), 2000).state;
    expect(detectionTimeMs(fastPeer)).toBe(100);
  });

  test('every accepted packet re-arms the detect timer', () => {
    const { actions } = received(sessionIn('Up'), fromPeer(), 2500);
    expect(actions).toContainEqual({ kind: 'armDetectTimer', atMs: 2650 });
  });

  test.each(['Init', 'Up'] as const)('a Detection Time of silence in %s: Down with diag 1, the peer\'s discriminator forgotten', (from) => {
    const s = sessionIn(from);
    const { state, actions } = step(s, { kind: 'detectTimer' }, detectAtMs(s)!);
    expect([state.sessionState, state.localDiag, state.remoteDiscr]).toEqual(['Down', 1, 0]);
    expect(actions).toContainEqual({ kind: 'stateChanged', from, to: 'Down', diagnostic: 1 });
    expect(actions).toContainEqual({ kind: 'cancelDetectTimer' });
    expect(kinds(actions).includes('sessionDown')).toBe(from === 'Up');
  });

  test('a Detection Time of silence in Down only forgets the discriminator', () => {
    const s = received(sessionIn('Down'), fromPeer({ state: 'Up' }), 1000).state;
    const { state, actions } = step(s, { kind: 'detectTimer' }, detectAtMs(s)!);
    expect([state.sessionState, state.remoteDiscr]).toEqual(['Down', 0]);
    expect(kinds(actions)).toEqual(['cancelDetectTimer']);
  });

  test('a timer that fires before its deadline changes nothing and is armed again', () => {
    const s = sessionIn('Up');
    expect(step(s, { kind: 'detectTimer' }, detectAtMs(s)! - 1)).toEqual({ state: s, actions: [{ kind: 'armDetectTimer', atMs: detectAtMs(s) }] });
    expect(step(s, { kind: 'transmitTimer' }, s.transmitAtMs! - 1)).toEqual({ state: s, actions: [{ kind: 'armTransmitTimer', atMs: s.transmitAtMs }] });
  });

  test('the next periodic packet is jittered to 75-100 % of the interval, drawn from the session\'s seed', () => {
    const s = sessionIn('Up');
    const gaps = new Set<number>();
    let t = s;
    for (let i = 0; i < 200; i++) {
      const at = t.transmitAtMs!;
      t = step(t, { kind: 'transmitTimer' }, at).state;
      t = received(t, fromPeer(), at).state;
      const gap = t.transmitAtMs! - at;
      expect(gap).toBeGreaterThanOrEqual(37.5);
      expect(gap).toBeLessThanOrEqual(50);
      gaps.add(gap);
    }
    expect(gaps.size).toBeGreaterThan(150);
    expect(step(s, { kind: 'transmitTimer' }, s.transmitAtMs!)).toEqual(step(s, { kind: 'transmitTimer' }, s.transmitAtMs!));
  });

  test('§6.8.7: no periodic packets while bfd.RemoteMinRxInterval is zero, and they resume when it is not', () => {
    const quiet = received(sessionIn('Up'), fromPeer({ requiredMinRxInterval: 0 }), 2000);
    expect(quiet.state.transmitAtMs).toBeUndefined();
    expect(quiet.actions).toContainEqual({ kind: 'cancelTransmitTimer' });
    expect(step(quiet.state, { kind: 'transmitTimer' }, 2100).actions).toEqual([]);
    const again = received(quiet.state, fromPeer(), 2100);
    expect(again.actions).toContainEqual({ kind: 'armTransmitTimer', atMs: 2100 });
  });

  test('a shrunken interval brings the next packet forward; a longer one leaves it', () => {
    const slow = received(sessionIn('Up'), fromPeer({ requiredMinRxInterval: 1_000_000 }), 2000).state;
    const afterSlowSend = step(slow, { kind: 'transmitTimer' }, slow.transmitAtMs!).state;
    expect(afterSlowSend.transmitAtMs! - slow.transmitAtMs!).toBeGreaterThan(750);
    const fast = received(afterSlowSend, fromPeer(), slow.transmitAtMs! + 1).state;
    expect(fast.transmitAtMs! - (slow.transmitAtMs! + 1)).toBeLessThanOrEqual(50);
  });
});

describe('administrative control (RFC 5880 §6.8.16)', () => {
  test('adminDown: AdminDown with diag 7, sessionDown reported, the detect timer stopped, packets still sent for a while', () => {
    const { state, actions } = step(sessionIn('Up'), { kind: 'adminDown' }, 2000);
    expect([state.sessionState, state.localDiag]).toEqual(['AdminDown', 7]);
    expect(actions).toEqual(expect.arrayContaining([
      { kind: 'stateChanged', from: 'Up', to: 'AdminDown', diagnostic: 7 },
      { kind: 'sessionDown', diagnostic: 7 },
      { kind: 'cancelDetectTimer' },
    ]));
    // Detect Mult × the slow interval it now sends at.
    expect(state.adminDownTransmitUntilMs).toBe(2000 + 3 * 1000);
    expect(sends(step(state, { kind: 'transmitTimer' }, state.transmitAtMs!).actions)[0]).toMatchObject({ state: 'AdminDown', diagnostic: 7 });
    const late = step(state, { kind: 'transmitTimer' }, 5000);
    expect(sends(late.actions)).toEqual([]);
    expect(late.state.transmitAtMs).toBeUndefined();
  });

  test('another diagnostic may be given (Path Down, 5)', () => {
    expect(step(sessionIn('Up'), { kind: 'adminDown', diagnostic: 5 }, 2000).state.localDiag).toBe(5);
  });

  test('adminDown twice, and adminUp while not AdminDown, change nothing', () => {
    const down = sessionIn('AdminDown');
    expect(step(down, { kind: 'adminDown' }, 3000)).toEqual({ state: down, actions: [] });
    const up = sessionIn('Up');
    expect(step(up, { kind: 'adminUp' }, 3000)).toEqual({ state: up, actions: [] });
  });

  test('adminUp: Down again, transmitting at once', () => {
    const down = step(sessionIn('AdminDown'), { kind: 'transmitTimer' }, 9000).state;
    const { state, actions } = step(down, { kind: 'adminUp' }, 10_000);
    expect(state.sessionState).toBe('Down');
    expect(actions).toEqual([{ kind: 'stateChanged', from: 'AdminDown', to: 'Down', diagnostic: 7 }, { kind: 'armTransmitTimer', atMs: 10_000 }]);
  });
});
