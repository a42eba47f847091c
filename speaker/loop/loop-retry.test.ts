import { pino } from 'pino';
import { Announcer, type OpenSocket } from '../layer2/announcer.js';
import type { LinkInfo } from '../layer2/decide/interfaces.js';
import { MemorySegment } from '../layer2/testing/memory-segment.js';
import { Layer2Driver } from '../layer2/driver.js';
import { snapshot } from '../source/fixtures.js';
import { SpeakerLoop } from './loop.js';
import { RETRY_DELAYS_MS, retryDelayMs } from './retry.js';

const eth0: LinkInfo = {
  name: 'eth0', index: 2, mac: '02:00:00:00:00:0b', up: true, hasMaster: false, noArp: false,
  addresses: [{ address: '192.0.2.11', prefixLength: 24 }],
};
const desired = snapshot(['n1'], [{ ip: '192.0.2.100' }]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface LogLine { level: number; msg: string; ifname?: string; err?: { message: string }; retryInMs?: number | null }

/** A real loop and announcer on a memory segment whose socket opens fail while `failing()` says so. */
function rig(failing: () => boolean, retryDelaysMs: readonly number[]) {
  const segment = new MemorySegment();
  const opens: number[] = [];
  const open: OpenSocket = (ifname, ...rest) => {
    opens.push(performance.now());
    if (failing()) throw new Error(`socket(AF_PACKET) on "${ifname}": ENODEV`);
    return segment.open(ifname, ...rest);
  };
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line) as LogLine); } });
  const announcer = new Announcer({ openSocket: open, logger, schedule: [0] });
  const loop = new SpeakerLoop({ self: 'n1', layer2: new Layer2Driver(announcer, logger), membership: { apply: () => undefined }, logger, retryDelaysMs });
  const start = async (): Promise<void> => {
    for (const e of [{ kind: 'desired', desired }, { kind: 'links', links: [eth0] }, { kind: 'membership', alive: ['n1'], quorum: true }] as const) loop.enqueue(e);
    await loop.settled();
  };
  return { loop, announcer, opens, logs, start };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe('retry delays', () => {
  it('back off, start inside the failover budget, and end', () => {
    expect(RETRY_DELAYS_MS[0]).toBeLessThan(250);
    for (let i = 1; i < RETRY_DELAYS_MS.length; i++) expect(RETRY_DELAYS_MS[i]).toBeGreaterThan(RETRY_DELAYS_MS[i - 1]!);
    expect(retryDelayMs(0)).toBe(RETRY_DELAYS_MS[0]);
    expect(retryDelayMs(RETRY_DELAYS_MS.length)).toBeNull();
  });
});

describe('SpeakerLoop timed retry', () => {
  it('retries a socket that would not open on a backing-off timer, counting and logging each failure', async () => {
    let failuresLeft = 2;
    const { loop, announcer, opens, logs, start } = rig(() => failuresLeft-- > 0, [20, 60, 1000]);
    await start();
    expect(announcer.current()).toEqual([]);
    await until(() => announcer.current().length === 1);
    expect(announcer.current()).toEqual([{ ip: '192.0.2.100', ifname: 'eth0' }]);
    expect(loop.stats).toEqual({ announceFailures: 2, retries: 2, retriesExhausted: 0, reannounced: 0 });
    // Each wait at least its delay (timers never fire early), and the second one longer: backing off.
    const gaps = opens.slice(1).map((t, i) => t - opens[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(59);
    const failed = logs.filter((l) => l.msg === 'announcing failed');
    expect(failed.map((l) => [l.ifname, l.err?.message, l.retryInMs])).toEqual([
      ['eth0', 'socket(AF_PACKET) on "eth0": ENODEV', 20],
      ['eth0', 'socket(AF_PACKET) on "eth0": ENODEV', 60],
    ]);
    expect(logs.some((l) => l.msg === 'announcements recovered')).toBe(true);
    await loop.stop();
  });

  it('stops after the last retry, and tries again (with a fresh schedule) on the next real event', async () => {
    const { loop, opens, logs, start } = rig(() => true, [5, 10]);
    await start();
    await until(() => loop.stats.retriesExhausted === 1);
    expect(opens).toHaveLength(3);
    await sleep(40);
    expect(opens).toHaveLength(3); // bounded: nothing more until something changes
    expect(logs.filter((l) => l.level >= 50).map((l) => l.msg)).toContain('announcing still fails after every retry; trying again on the next change');
    loop.enqueue({ kind: 'links', links: [{ ...eth0, addresses: [] }] });
    await until(() => loop.stats.retriesExhausted === 2);
    expect(opens).toHaveLength(6);
    expect(loop.stats).toEqual({ announceFailures: 6, retries: 4, retriesExhausted: 2, reannounced: 0 });
    await loop.stop();
  });

  it('cancels a pending retry on stop', async () => {
    const { loop, opens, start } = rig(() => true, [30]);
    await start();
    await loop.stop();
    await sleep(60);
    expect(opens).toHaveLength(1);
    expect(loop.stats.retries).toBe(0);
  });
});
