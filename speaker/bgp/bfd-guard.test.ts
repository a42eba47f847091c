// BFD beside BGP, on real sockets over loopback: the mode driver holds a session with a Herald "router" on
// 127.0.0.2 and, because the peer names a BFD profile, a BFD session with a BFD peer there (a process of its own,
// speaker/bfd/driver/peer.fixture.ts, or a BfdDriver in this process). Killing the BFD peer takes the BGP session
// down within the BFD Detection Time, with a Cease (BFD Down) the router sees; BFD that never came Up, or a peer
// that sets AdminDown, leaves the BGP session alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../lib/log.js';
import { BfdDriver } from '../bfd/driver/driver.js';
import type { BgpPeerSpec } from '../source/types.js';
import { BgpListener, BgpPeer } from './driver/index.js';
import { BgpModeDriver, type BgpPeerStatus } from './mode-driver.js';
import type { BgpPeerPlan } from './plan.js';
import { sessionConfig } from './session/index.js';

const logger = silentLogger();
const ASN = 4_200_000_000;
const NODE = '127.0.0.1';
const ROUTER = '127.0.0.2';
/** The fixture's timers: 50 ms both ways, detect multiplier 3. */
const PROFILE = { name: 'fast', receiveIntervalMs: 50, transmitIntervalMs: 50, detectMultiplier: 3, passive: false, minimumTtl: 254 };
let nextPort = 30_000 + Math.floor(Math.random() * 10_000);

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The router: a passive Herald peer listening on ROUTER. */
async function router(): Promise<{ peer: BgpPeer; port: number }> {
  const listener = new BgpListener({ port: 0, host: ROUTER, logger });
  await listener.start();
  const peer = new BgpPeer({ config: sessionConfig({ localAsn: ASN, routerId: '10.0.0.254', peerAsn: { kind: 'fixed', asn: ASN }, peerAddress: NODE, passive: true }), logger });
  listener.register(peer);
  peer.start();
  cleanups.push(() => listener.stop(), () => peer.stop());
  return { peer, port: listener.port };
}

function plan(port: number, spec: Partial<BgpPeerSpec> = {}): BgpPeerPlan {
  return {
    peer: {
      name: 'router', myAsn: ASN, peerAsn: { kind: 'fixed', asn: ASN }, peerAddress: ROUTER, peerPort: port, sourceAddress: NODE,
      holdTimeSeconds: 90, keepaliveTimeSeconds: 30, connectTimeSeconds: 1, nodes: ['n1'], passive: false, bfd: PROFILE, ...spec,
    },
    routerId: '192.0.2.11', advertisements: [], ips: [], skipped: [], bfd: { localAddress: NODE },
  };
}

function node(bfdControlPort: number): { driver: BgpModeDriver; status: () => BgpPeerStatus | undefined } {
  const driver = new BgpModeDriver({ logger, bfdControlPort });
  cleanups.push(() => driver.stop());
  return { driver, status: () => driver.statuses()[0] };
}

function bfdPeerProcess(port: number): ChildProcess {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), '../bfd/driver/peer.fixture.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ROUTER, NODE, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => { child.kill('SIGKILL'); });
  return child;
}

describe('BFD beside BGP (RFC 5882)', () => {
  test('a BFD peer that dies takes the BGP session down within the Detection Time, with Cease/BFD Down; it comes back without BFD', async () => {
    const port = nextPort++;
    const r = await router();
    const n = node(port);
    const child = bfdPeerProcess(port);
    await n.driver.apply({ peers: [plan(r.port)], unusable: [] });
    await until('BGP Established and BFD Up', () => n.status()?.fsm === 'Established' && n.status()?.bfd?.state === 'Up', 20_000);

    child.kill('SIGKILL');
    const tookMs = await until('the BGP session down', () => n.status()?.fsm !== 'Established');
    // Detection Time 3 × 50 ms (measured here: 146-153 ms); the 90 s hold time could not do it. Slack for a loaded machine.
    expect(tookMs).toBeLessThan(1000);
    expect(n.status()?.lastDown).toMatchObject({ reason: 'bfdDown', notification: 'sent 6/10 cease, BFD down' });
    expect(n.status()?.lastDown?.detail).toContain('controlDetectionTimeExpired');
    expect(n.status()?.bfd?.state).toBe('Down');
    await until('the router sees the Cease', () => r.peer.status().lastDown !== null);
    expect(r.peer.status().lastDown?.notification).toMatch(/^received 6\/10/);

    // The BFD session stays Down (its peer is gone), and that must not hold BGP down: it restarts after the idle hold.
    await until('BGP Established again', () => n.status()?.fsm === 'Established' && (n.status()?.establishedCount ?? 0) === 2, 10_000);
    expect(n.status()?.bfd?.state).toBe('Down');
  }, 40_000);

  test('BFD that never comes Up leaves the BGP session alone', async () => {
    const r = await router();
    const n = node(nextPort++);
    await n.driver.apply({ peers: [plan(r.port)], unusable: [] });
    await until('BGP Established', () => n.status()?.fsm === 'Established');
    await new Promise((resolve) => setTimeout(resolve, 500)); // many Detection Times of silence
    expect(n.status()).toMatchObject({ fsm: 'Established', establishedCount: 1, bfd: { state: 'Down' } });
  });

  test('a peer that sets its BFD session AdminDown (RFC 5882 §3.2) does not take the BGP session down', async () => {
    const port = nextPort++;
    const r = await router();
    const n = node(port);
    const bfdPeer = new BfdDriver({ logger, controlPort: port });
    cleanups.push(() => bfdPeer.close());
    await bfdPeer.addPeer({ peerAddress: NODE, localAddress: ROUTER, passive: false, timers: { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3 } });
    await n.driver.apply({ peers: [plan(r.port)], unusable: [] });
    await until('BGP Established and BFD Up', () => n.status()?.fsm === 'Established' && n.status()?.bfd?.state === 'Up');
    await bfdPeer.removePeer(NODE);
    await until('BFD left Up', () => n.status()?.bfd?.state !== 'Up');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(n.status()).toMatchObject({ fsm: 'Established', establishedCount: 1 });
  });

  test('a peer without a profile has no BFD session; dropping the profile ends it', async () => {
    const port = nextPort++;
    const r = await router();
    const n = node(port);
    await n.driver.apply({ peers: [plan(r.port)], unusable: [] });
    await until('BFD session exists', () => n.status()?.bfd !== null && n.status()?.bfd !== undefined);
    const without = plan(r.port, { bfd: undefined });
    delete without.bfd;
    await n.driver.apply({ peers: [without], unusable: [] });
    expect(n.status()?.bfd).toBeNull();
    expect(n.status()?.establishedCount).toBeLessThanOrEqual(1); // the BGP session was not replaced for it
  });
});
