import { createSocket } from 'node:dgram';
import { CatchUpProbe, READ_BATCH } from './catch-up.js';

describe('the catch-up probe', () => {
  function probeWithTurns() {
    const queued: (() => void)[] = [];
    const reports: boolean[] = [];
    const probe = new CatchUpProbe((cb) => queued.push(cb), (caughtUp) => reports.push(caughtUp));
    /** One event-loop turn: `datagrams` arrive in its poll phase, then its check phase runs. */
    const turn = (datagrams: number) => {
      for (let i = 0; i < datagrams; i++) probe.noteDatagram();
      for (const cb of queued.splice(0)) cb();
    };
    return { probe, reports, turn };
  }

  it('answers caught up after a turn that read fewer datagrams than a full batch', () => {
    const { probe, reports, turn } = probeWithTurns();
    probe.probe();
    turn(READ_BATCH - 1);
    expect(reports).toEqual([true]);
    expect(probe.active).toBe(false);
  });

  it('answers behind after every full batch and keeps looking, until the socket runs dry', () => {
    const { probe, reports, turn } = probeWithTurns();
    probe.probe();
    turn(READ_BATCH);
    turn(READ_BATCH);
    expect(probe.active).toBe(true);
    turn(0);
    expect(reports).toEqual([false, false, true]);
  });

  it('runs one probe at a time and none after stop', () => {
    const { probe, reports, turn } = probeWithTurns();
    probe.probe();
    probe.probe();
    turn(0);
    expect(reports).toEqual([true]);
    probe.stop();
    probe.probe();
    turn(0);
    expect(reports).toEqual([true]);
  });
});

describe('libuv on this Node, as the probe assumes', () => {
  it(`delivers a UDP backlog ${READ_BATCH} datagrams per event-loop turn, and a setImmediate runs after each`, async () => {
    const receiver = createSocket('udp4');
    const sender = createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
    let seen = 0;
    let all = 0;
    receiver.on('message', () => { seen += 1; all += 1; });
    const total = 150; // well within the socket's receive buffer
    let acked = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < total; i++) sender.send(Buffer.alloc(64, i), receiver.address().port, '127.0.0.1', () => { if (++acked === total) resolve(); });
    });
    // The sends went out at once (libuv writes while its queue is empty), so the backlog sits in the
    // receiver's socket; from here on each turn reads a batch of it.
    const perTurn: number[] = [];
    await new Promise<void>((resolve) => {
      const check = () => {
        perTurn.push(seen);
        seen = 0;
        if (all >= total) resolve();
        else setImmediate(check);
      };
      seen = 0;
      setImmediate(check);
    });
    await Promise.all([receiver, sender].map((s) => new Promise<void>((r) => s.close(() => r()))));
    expect(Math.max(...perTurn)).toBe(READ_BATCH);
    expect(perTurn.every((n) => n <= READ_BATCH)).toBe(true);
  });
});
