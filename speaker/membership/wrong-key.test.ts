// A speaker whose heartbeat key is not its peers' (issue 9 §2): over real UDP on loopback, each speaker at its own
// address (127.0.0.1, .2, ...; so each has its own receive budget, as on real nodes). It must say which peers'
// keys differ, must not claim quorum on a mesh it cannot read, and must recover once the keys agree.
import type { KeyMismatch, QuorumDecision } from './core/index.js';
import { UdpMembership } from './udp-membership.js';

const KEY = Buffer.from('the-cluster-key-0123456789abcdef');
const OTHER_KEY = Buffer.from('a-stale-key-that-nobody-else-has');
// Keys differ after 3 failures over 150 ms (core/key-mismatch.ts). The start grace (deadAfter × slow interval,
// 1 s) runs from construction, and mesh() can only name the peers once their ports are bound: a wide grace keeps a
// loaded machine's gap between the two from ending it before the mismatch is seen.
const FAST = { intervalMs: 20, deadAfter: 10, slowIntervalMs: 100 } as const;
const START_GRACE_MS = FAST.deadAfter * FAST.slowIntervalMs;
const KEYS_FROM = 'the key file /etc/herald/key';

interface Node {
  name: string;
  m: UdpMembership;
  /** Every quorum decision it reported, in order. */
  decisions: QuorumDecision[];
  /** Every key mismatch report, as peer names. */
  reports: string[][];
}

const running: UdpMembership[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

/** One membership per name at 127.0.0.(i+1), with `keyOf(name)`, told about every other. */
async function mesh(names: string[], keyOf: (name: string) => Buffer): Promise<Node[]> {
  const nodes = names.map((name, i): Node => {
    const m = new UdpMembership({ nodeName: name, bindAddress: `127.0.0.${i + 1}`, port: 0, peers: [], key: keyOf(name), keysFrom: KEYS_FROM, ...FAST });
    running.push(m);
    const node: Node = { name, m, decisions: [], reports: [] };
    m.onChange((_alive, _quorum, decision) => node.decisions.push(decision));
    m.onKeyMismatch((mismatched) => node.reports.push(mismatched.map((k) => k.peer)));
    return node;
  });
  await Promise.all(nodes.map((n) => n.m.start()));
  const peers = nodes.map((n, i) => ({ name: n.name, address: `127.0.0.${i + 1}`, port: n.m.address()?.port ?? 0 }));
  for (const n of nodes) n.m.setPeers(peers);
  return nodes;
}

/** Waits until `pred` holds (polled), or fails naming `what`. */
async function until(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error(`not in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const names = (mismatched: readonly KeyMismatch[]) => mismatched.map((k) => k.peer);

describe('UdpMembership with heartbeat keys that differ', () => {
  it('two speakers with different keys: each names the other, neither claims quorum, and both recover once the keys agree', async () => {
    const [a, b] = await mesh(['a', 'b'], (name) => (name === 'a' ? KEY : OTHER_KEY)) as [Node, Node];
    await until('each names the other', () => names(a.m.keyMismatch()).join() === 'b' && names(b.m.keyMismatch()).join() === 'a');
    // Past the start grace, where 1 of 2 would be "half" and announce, were the other node merely dead.
    await new Promise((r) => setTimeout(r, START_GRACE_MS + 100));
    for (const n of [a, b]) {
      expect(n.m.quorum()).toMatchObject({ quorum: false, reason: 'keyMismatch', heard: 1, known: 2 });
      expect(n.decisions.some((d) => d.quorum)).toBe(false);
      expect(n.m.notReadyReason()).toBe(`heartbeat keys differ: every heartbeat from node "${n === a ? 'b' : 'a'}" fails authentication `
        + `with every key this speaker holds; check ${KEYS_FROM} (every speaker must hold the same keys)`);
      expect(n.reports).toEqual([[n === a ? 'b' : 'a']]);
    }
    const [seen] = a.m.stats().keyMismatch;
    expect(seen?.peer).toBe('b');
    expect(seen?.failed).toBeGreaterThanOrEqual(3);
    expect(a.m.stats().dropped.badMac).toBeGreaterThanOrEqual(3);
    // The judge uses what the gate computed anyway: one MAC per beat sealed and per datagram checked (one key).
    const stats = a.m.stats();
    expect(stats.macs).toBe(stats.sent + stats.accepted + (stats.dropped.badMac ?? 0));

    b.m.setKeys([KEY]); // the key fixed
    await until('both hear each other', () => a.m.hasQuorum() && b.m.hasQuorum() && a.m.alive().size === 2 && b.m.alive().size === 2);
    for (const n of [a, b]) {
      expect(n.m.keyMismatch()).toEqual([]);
      expect(n.m.stats().keyMismatch).toEqual([]);
      expect(n.m.notReadyReason()).toBeUndefined();
      expect(n.reports.at(-1)).toEqual([]);
      expect(n.m.quorum()).toMatchObject({ quorum: true, reason: 'majority' });
    }
  });

  it('three speakers, one with another key: it names both others and withdraws; the two that agree name it and keep quorum', async () => {
    const [a, b, c] = await mesh(['a', 'b', 'c'], (name) => (name === 'c' ? OTHER_KEY : KEY)) as [Node, Node, Node];
    await until('c names a and b, they name c', () => names(c.m.keyMismatch()).join() === 'a,b'
      && names(a.m.keyMismatch()).join() === 'c' && names(b.m.keyMismatch()).join() === 'c');
    await until('a and b have quorum', () => a.m.hasQuorum() && b.m.hasQuorum());
    expect(c.m.alive()).toEqual(new Set(['c']));
    expect(c.m.quorum()).toMatchObject({ quorum: false, reason: 'keyMismatch', heard: 1, known: 3 });
    expect(c.decisions.some((d) => d.quorum)).toBe(false);
    expect(c.m.notReadyReason()).toContain('from nodes "a", "b" fails authentication');
    for (const n of [a, b]) {
      expect(n.m.quorum()).toMatchObject({ quorum: true, reason: 'majority', heard: 2, known: 3 });
      // It names c (log, event) but is ready: it can read the mesh; c is the one that cannot.
      expect(n.m.notReadyReason()).toBeUndefined();
    }

    // c accepts the cluster's key too but still seals with its own: it can read a and b, they still cannot read it.
    c.m.setKeys([OTHER_KEY, KEY]);
    await until('c hears a and b', () => c.m.keyMismatch().length === 0 && c.m.alive().size === 3 && c.m.hasQuorum());
    expect(c.m.notReadyReason()).toBeUndefined();
    expect([names(a.m.keyMismatch()), names(b.m.keyMismatch())]).toEqual([['c'], ['c']]);

    c.m.setKeys([KEY]); // and now seals with it
    await until('every report cleared and all three alive', () => [a, b, c].every((n) => n.m.keyMismatch().length === 0 && n.m.alive().size === 3));
    for (const n of [a, b, c]) expect(n.reports.at(-1)).toEqual([]);
  });

  it('a speaker whose peer just went silent (no datagrams at all) reports no key problem: that is a death, not a mismatch', async () => {
    const [a, b] = await mesh(['a', 'b'], () => KEY) as [Node, Node];
    await until('both alive', () => a.m.alive().size === 2);
    await b.m.stop();
    running.splice(running.indexOf(b.m), 1);
    await until('a alone with quorum', () => a.m.alive().size === 1 && a.m.hasQuorum());
    await new Promise((r) => setTimeout(r, 300));
    expect(a.m.keyMismatch()).toEqual([]);
    expect(a.reports).toEqual([]);
  });
});
