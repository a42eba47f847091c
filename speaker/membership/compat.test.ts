// Rolling changes must never partition the mesh: a rolling upgrade from older builds, and a key rotation.
// Over real UDP on loopback, every speaker at its own address (127.0.0.1, .2, ...) on one shared port.
//
// The older builds are rebuilt here from what they did, with the pure core they shared with this one:
// - "v3 build" (before pings): a fresh HMAC over the one key, openHeartbeat on every datagram, no sender
//   check, its deadlines judged straight from the timer; it reads up to and writes version 3, never a ping.
// - "v2 build" (before issue 12): the same, reading and writing version 2.
// - "v1 build": the same, reading and writing only wire version 1.
// What is checked is that the stricter receive path of this build still takes what they send, and that they
// take what it sends them: version 3 (uptime, for settling) and 4 (pings) only to peers that speak it.
import { createHmac } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  initialState, nextWakeMs, openHeartbeat, sealHeartbeat, step, type MacFunction, type MembershipEvent, type MembershipState,
  type OutgoingMessage,
} from './core/index.js';
import { UdpMembership } from './udp-membership.js';

const OLD_KEY = Buffer.from('old-cluster-key-0123456789abcdef');
const NEW_KEY = Buffer.from('new-cluster-key-fedcba9876543210');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const addressOf = (i: number) => `127.0.0.${i + 1}`;

interface Member {
  name: string;
  alive(): ReadonlySet<string>;
  stop(): Promise<void>;
}

/** A speaker as an older build ran it (see the file comment). */
class OlderBuild implements Member {
  private state: MembershipState;
  private timer: NodeJS.Timeout | null = null;
  private readonly mac: MacFunction;
  readonly changes: string[] = [];

  constructor(readonly name: string, private readonly socket: Socket, private readonly port: number,
    private readonly peers: { name: string; address: string }[], key: Buffer, private readonly wire: 1 | 2 | 3) {
    this.mac = (bytes) => createHmac('sha256', key).update(bytes).digest();
    // settleMs 0: the older builds had no settling (wire version 3).
    this.state = initialState({ self: name, incarnation: BigInt(1 + Math.floor(Math.random() * 1e9)), settleMs: 0 }, peers.map((p) => p.name), performance.now());
    socket.on('message', (bytes) => {
      const opened = openHeartbeat(bytes, this.mac);
      if (!opened.ok || opened.message.version > this.wire) return; // a version it did not know: its decoder refused it
      this.apply({ kind: 'received', message: opened.message, wallMs: Date.now() });
    });
    this.apply({ kind: 'tick' });
  }

  alive(): ReadonlySet<string> {
    return this.state.reported.alive;
  }

  async stop(): Promise<void> {
    this.apply({ kind: 'leave' });
    if (this.timer !== null) clearTimeout(this.timer);
    await sleep(20);
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  private apply(event: MembershipEvent): void {
    const r = step(this.state, event, performance.now());
    this.state = r.state;
    for (const a of r.actions) {
      if (a.kind === 'aliveChanged') this.changes.push(`${this.name}: ${[...a.alive].sort().join(',')}`);
      if (a.kind !== 'send') continue;
      const message = this.asWritten(a.message);
      const peer = this.peers.find((p) => p.name === message.to);
      if (peer) this.socket.send(sealHeartbeat({ ...message, sendTimeMs: Date.now() }, this.mac), this.port, peer.address);
    }
    if (this.timer !== null) clearTimeout(this.timer);
    const wake = nextWakeMs(this.state);
    if (wake !== undefined) this.timer = setTimeout(() => this.apply({ kind: 'tick' }), Math.max(0, wake - performance.now()));
  }

  /** The message as this build wrote it: in its own version at most, and never a ping (it had none). */
  private asWritten(m: OutgoingMessage): OutgoingMessage {
    const type = m.type === 'ping' ? 'beat' : m.type;
    const version = Math.min(m.version, this.wire) as 1 | 2 | 3;
    if (version === 1) return { ...m, type, version, timesDeclaredDead: 0, uptimeMs: 0 };
    return { ...m, type, version, uptimeMs: version === 2 ? 0 : m.uptimeMs };
  }
}

async function boundSocket(address: string, port: number): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, address, () => resolve());
  });
  return s;
}

const started: Member[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});

type Kind = 'new' | 'v3 build' | 'v2 build' | 'v1 build';

/** One speaker per kind, at 127.0.0.1, .2, ... on one port, all with `keys(name)`. */
async function mixedMesh(kinds: Kind[], keys: (i: number) => Buffer[]): Promise<{ members: Member[]; news: UdpMembership[]; port: number; changes: () => string[] }> {
  const peers = kinds.map((_, i) => ({ name: `s${i}`, address: addressOf(i) }));
  const port = 20_000 + Math.floor(Math.random() * 40_000);
  const news: UdpMembership[] = [];
  const newChanges: string[] = [];
  const members: Member[] = [];
  for (const [i, kind] of kinds.entries()) {
    const name = `s${i}`;
    if (kind === 'new') {
      const m = new UdpMembership({ nodeName: name, bindAddress: addressOf(i), port, peers, key: keys(i) });
      await m.start();
      let last = '';
      m.onChange((alive) => {
        const now = `${name}: ${[...alive].sort().join(',')}`;
        if (now !== last) newChanges.push(now); // a report of the settling speakers alone changes no membership
        last = now;
      });
      news.push(m);
      members.push({ name, alive: () => m.alive(), stop: () => m.stop() });
    } else {
      const key = keys(i)[0] ?? OLD_KEY;
      const wire = kind === 'v1 build' ? 1 : kind === 'v2 build' ? 2 : 3;
      members.push(new OlderBuild(name, await boundSocket(addressOf(i), port), port, peers, key, wire));
    }
  }
  started.push(...members);
  const changes = () => [...newChanges, ...members.flatMap((m) => (m instanceof OlderBuild ? m.changes : []))];
  return { members, news, port, changes };
}

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe('a rolling upgrade from older builds', () => {
  it('keeps a mesh of this build, the v3, v2 and v1 builds whole: everyone hears everyone, nothing flaps', async () => {
    const { members, changes } = await mixedMesh(['new', 'v3 build', 'v2 build', 'v1 build', 'new'], () => [OLD_KEY]);
    await waitFor(() => members.every((m) => m.alive().size === 5), 5000, 'all five to hear each other');
    // A quiet 1.5 s with no membership change. The older builds judge deadlines straight from their timers (no
    // catch-up after a stalled event loop), so a test process starved of CPU (CI's parallel suites) can make one
    // of them flap on its own; a real incompatibility flaps in every window, so one of three must be quiet.
    const windows: string[][] = [];
    for (let i = 0; i < 3 && (windows.at(-1)?.length ?? 1) > 0; i++) {
      const settled = changes().length;
      await sleep(1500);
      windows.push(changes().slice(settled));
    }
    expect(windows.at(-1)).toEqual([]);
  }, 15_000);

  it('hands over by goodbye both ways: an older build leaving, this build leaving', async () => {
    const { members } = await mixedMesh(['new', 'v2 build', 'new'], () => [OLD_KEY]);
    await waitFor(() => members.every((m) => m.alive().size === 3), 5000, 'all three to hear each other');
    const [a, old, c] = members;
    await old?.stop();
    await waitFor(() => !a?.alive().has('s1') && !c?.alive().has('s1'), 100, 'the goodbye of the older build');
    await c?.stop();
    await waitFor(() => !a?.alive().has('s2'), 100, 'the goodbye of this build');
    started.splice(0, started.length, ...(a ? [a] : []));
  });
});

describe('rotating the heartbeat key, one speaker at a time', () => {
  // The documented steps (docs/layer2.md): add the new key second, then make it first, then drop the old one.
  const stages: Buffer[][] = [[OLD_KEY], [OLD_KEY, NEW_KEY], [NEW_KEY, OLD_KEY], [NEW_KEY]];

  it('never loses a peer while each step reaches the speakers one by one', async () => {
    const { news, changes } = await mixedMesh(['new', 'new', 'new'], () => stages[0] ?? []);
    await waitFor(() => news.every((m) => m.alive().size === 3), 5000, 'all three to hear each other');
    const settled = changes().length;
    for (const keys of stages.slice(1)) {
      for (const m of news) {
        m.setKeys(keys);
        await sleep(250); // longer than a dead time: a speaker out of step with the others would be seen dead
      }
    }
    expect(changes().slice(settled)).toEqual([]);
    expect(news.every((m) => m.alive().size === 3)).toBe(true);
    expect(news.map((m) => m.stats().dropped.badMac ?? 0)).toEqual([0, 0, 0]);
  });

  it('partitions when a step is skipped: a speaker that only knows the new key does not hear one that only signs the old', async () => {
    const { members } = await mixedMesh(['new', 'new'], (i) => (i === 0 ? [OLD_KEY] : [NEW_KEY]));
    await sleep(300);
    expect(members.map((m) => m.alive().size)).toEqual([1, 1]);
  });

  it('needs every speaker upgraded first: an older build knows one key, so it stops hearing a speaker that signs with the new one', async () => {
    const { members } = await mixedMesh(['new', 'v2 build'], (i) => (i === 0 ? [NEW_KEY, OLD_KEY] : [OLD_KEY]));
    await waitFor(() => members[0]?.alive().size === 2, 5000, 'this build to hear the older one');
    // The older build only has the old key: it cannot read this build's beats, sealed with the new one.
    await sleep(300);
    expect(members[1]?.alive().size).toBe(1);
  });
});
