// Each speaker's entry in a BGPPeer's status.nodes, through the API (the emulator, or the real kube-apiserver with
// HERALD_API_BACKEND=real, where the writers run as the herald-speaker ServiceAccount under config/speaker's RBAC).
// Two writers for two nodes write one object's list at once; what they hold is judged by reading the object back,
// beside the Ready condition the real controller writes to the same status. A crashed speaker's entry is removed
// once its presence Lease lapsed (the live set is given here; the source computes it from the Leases, presence.ts).
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { BGPPEER_PLURAL, GROUP, HERALD_NAMESPACE, VERSION, type BGPPeer } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import type { BgpPeerStatus } from '../../speaker/bgp/mode-driver.js';
import { PeerSessionWriter } from '../../speaker/status/peer-session-writer.js';
import { apiJson, mergePatchRequest } from '../../lib/kube/request.js';
import { speakerKubeConfig } from './controller-identity.js';
import { startEnv, startTestController, waitFor, type Env } from './harness.js';

let env: Env;
let speakerKc: KubeConfig;

const session = (peer: string, fsm: BgpPeerStatus['fsm'], lastDown: BgpPeerStatus['lastDown'] = null): BgpPeerStatus =>
  ({ name: peer, peer: '192.0.2.254', fsm, advertised: 0, negotiated: null, lastDown, establishedCount: 0, bfd: null, updatesSent: 0 });

async function readPeer(name: string): Promise<BGPPeer> {
  return await env.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: BGPPEER_PLURAL, name }) as BGPPeer;
}

const nodesOf = async (name: string) => (await readPeer(name)).status?.nodes?.map((n) => `${n.node}=${n.state}`) ?? [];

beforeAll(async () => {
  env = await startEnv();
  await startTestController(env);
  speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
  for (const [name, address] of [['tor', '192.0.2.254'], ['spare', '192.0.2.253']]) {
    await env.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: BGPPEER_PLURAL,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'BGPPeer', metadata: { name, namespace: HERALD_NAMESPACE }, spec: { myASN: 64512, peerASN: 64513, peerAddress: address } },
    });
  }
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

test('two speakers write their own entries in one peer\'s status at once; the controller\'s Ready condition stays; a stop removes its entry', async () => {
  const sessions: Record<string, BgpPeerStatus[]> = { n1: [session('tor', 'Connect')], n2: [session('tor', 'Established'), session('spare', 'Active')] };
  const writers = ['n1', 'n2'].map((node) => new PeerSessionWriter({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node, clock: systemClock, logger: silentLogger(), statuses: () => sessions[node] ?? [], pollMs: 100,
  }));
  try {
    for (const w of writers) w.start();
    await waitFor('both entries on tor', async () => JSON.stringify(await nodesOf('tor')) === JSON.stringify(['n1=Connect', 'n2=Established']) || undefined, 30_000);
    await waitFor('n2\'s entry on spare', async () => JSON.stringify(await nodesOf('spare')) === JSON.stringify(['n2=Active']) || undefined, 30_000);
    await waitFor('the controller\'s Ready condition beside them', async () => (await readPeer('tor')).status?.conditions?.some((c) => c.type === 'Ready') || undefined, 30_000);
    const since = (await readPeer('tor')).status?.nodes?.find((n) => n.node === 'n1')?.since;

    // n1's session comes up after a failure: its entry changes, since moves on, n2's entry is untouched.
    sessions.n1 = [session('tor', 'Established', { reason: 'connectFailed', detail: 'ECONNREFUSED', notification: null })];
    await waitFor('n1 Established', async () => (await nodesOf('tor')).includes('n1=Established') || undefined, 30_000);
    const n1 = (await readPeer('tor')).status?.nodes?.find((n) => n.node === 'n1');
    expect(n1).toMatchObject({ state: 'Established', lastError: 'connectFailed: ECONNREFUSED' });
    expect(n1?.since).not.toBe(since);
    expect(await nodesOf('tor')).toEqual(['n1=Established', 'n2=Established']);
    expect((await readPeer('tor')).status?.conditions?.some((c) => c.type === 'Ready')).toBe(true);

    // n2 stops holding spare (the peer left its plan): its entry goes; then n2 stops: its tor entry goes too.
    sessions.n2 = [session('tor', 'Established')];
    await waitFor('spare without n2', async () => (await nodesOf('spare')).length === 0 || undefined, 30_000);
    await writers[1]?.stop();
    expect(await nodesOf('tor')).toEqual(['n1=Established']);
  } finally {
    for (const w of writers) await w.stop();
  }
}, 120_000);

test('a crashed speaker\'s entry goes once its presence Lease lapsed, removed by the first live speaker alone; the others\' stay', async () => {
  // n9 crashed on "spare": its last entry stays, as its writer left it (a crash runs no stop).
  // n8 crashed too, on "tor": the pruner goes through every BGPPeer.
  const path = (peer: string) => `/apis/${GROUP}/${VERSION}/namespaces/${HERALD_NAMESPACE}/${BGPPEER_PLURAL}/${peer}/status`;
  await apiJson(env.kc, mergePatchRequest(path('spare'), { status: { nodes: [{ node: 'n9', state: 'Established', since: '2026-01-01T00:00:00.000Z' }] } }));
  await apiJson(env.kc, mergePatchRequest(path('tor'), { status: { nodes: [{ node: 'n8', state: 'Active', since: '2026-01-01T00:00:00.000Z' }] } }));
  const live: Record<string, string[]> = { n2: ['n2', 'n3', 'n8', 'n9'], n3: ['n2', 'n3'] };
  const sessions: Record<string, BgpPeerStatus[]> = { n2: [session('spare', 'Established')], n3: [session('spare', 'Active')] };
  const writers = ['n2', 'n3'].map((node) => new PeerSessionWriter({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node, clock: systemClock, logger: silentLogger(), pollMs: 100,
    statuses: () => sessions[node] ?? [], liveNodes: () => live[node] ?? [],
  }));
  try {
    for (const w of writers) w.start();
    await waitFor('n2 and n3 beside n9', async () => JSON.stringify(await nodesOf('spare')) === JSON.stringify(['n2=Established', 'n3=Active', 'n9=Established']) || undefined, 30_000);
    // n3 no longer counts n9 live, but n2 (first by name) prunes, and n2 still sees n9's Lease: nothing goes.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await nodesOf('spare')).toEqual(['n2=Established', 'n3=Active', 'n9=Established']);
    expect(await nodesOf('tor')).toEqual(['n8=Active']);
    // n2 sees the Lease lapse too: n9's entry goes, and only it.
    live.n2 = ['n2', 'n3'];
    await waitFor('n9 removed', async () => JSON.stringify(await nodesOf('spare')) === JSON.stringify(['n2=Established', 'n3=Active']) || undefined, 30_000);
    await waitFor('n8 removed from tor', async () => (await nodesOf('tor')).length === 0 || undefined, 30_000);
  } finally {
    for (const w of writers) await w.stop();
  }
}, 120_000);

test('an entry a lagging pruner removed (it had not seen the new speaker\'s Lease yet) is written back by its speaker', async () => {
  const writer = (node: string, live: string[], resyncMs?: number) => new PeerSessionWriter({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node, clock: systemClock, logger: silentLogger(), pollMs: 100, resyncMs,
    statuses: () => [session('tor', 'Established')], liveNodes: () => live,
  });
  const fresh = writer('n5', ['n1', 'n5'], 2_000);
  const pruner = writer('n1', ['n1']);
  try {
    fresh.start();
    await waitFor('n5\'s entry', async () => (await nodesOf('tor')).includes('n5=Established') || undefined, 30_000);
    pruner.start(); // its first live set lacks n5: the prune on its first pass removes n5's entry
    await waitFor('the prune', async () => JSON.stringify(await nodesOf('tor')) === JSON.stringify(['n1=Established']) || undefined, 30_000);
    await waitFor('n5\'s entry back beside n1\'s', async () => JSON.stringify(await nodesOf('tor')) === JSON.stringify(['n1=Established', 'n5=Established']) || undefined, 30_000);
  } finally {
    await fresh.stop();
    await pruner.stop();
  }
}, 120_000);
