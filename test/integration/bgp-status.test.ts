// The BGP objects' Ready conditions as a user sees them: what MetalLB's webhook refuses (password and passwordSecret
// both set, ebgpMultiHop on iBGP, a missing BFDProfile or Secret, duplicate peers, conflicting localPref for one
// prefix, an aggregation shorter than the pool allows) is applied with the real kubectl and accepted, and the real
// controller (as its ServiceAccount on the real backend) writes Ready=False with the reason on the object at fault,
// with a Warning event on it and one log line; every other object is Ready=True. Runs on the emulator and, with
// HERALD_API_BACKEND=real, on kube-apiserver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { GROUP, HERALD_NAMESPACE, VERSION, type Condition } from '../../crds/v1beta1/index.js';
import { kubectlTable, runKubectl } from '../support/kubectl.js';
import { capturedLog } from '../support/captured-log.js';
import { eventsFor, startEnv, startTestController, waitFor, type Env } from './harness.js';

let env: Env;
let home: string;

async function kubectl(args: string[], stdin?: string): Promise<string> {
  const run = await runKubectl(env.backend.kubeconfigPath, home, args, stdin);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

const manifest = (kind: string, name: string, spec?: object): string => JSON.stringify({
  apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: HERALD_NAMESPACE }, ...(spec ? { spec } : {}),
});
const apply = (...docs: string[]) => kubectl(['apply', '-f', '-'], docs.join('\n---\n'));
const peer = (name: string, spec: object = {}) => manifest('BGPPeer', name, { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec });

const PLURALS = { BGPPeer: 'bgppeers', BGPAdvertisement: 'bgpadvertisements', BFDProfile: 'bfdprofiles', Community: 'communities' } as const;
type Kind = keyof typeof PLURALS;

interface Read { resourceVersion: string; status: { conditions?: Condition[]; nodes?: unknown[] } }

async function read(kind: Kind, name: string): Promise<Read> {
  const object = await env.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: PLURALS[kind], name }) as
    { metadata: { resourceVersion: string }; status?: Read['status'] };
  return { resourceVersion: object.metadata.resourceVersion, status: object.status ?? {} };
}

const readyOf = (r: Read) => r.status.conditions?.find((c) => c.type === 'Ready');

/** `status reason` of each object's Ready condition, once every one is as expected. */
function waitForReady(expected: Record<string, string>): Promise<unknown> {
  let last: Record<string, string> = {};
  return waitFor(`Ready ${JSON.stringify(expected)}`, async () => {
    last = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (ref) => {
      const [kind = '', name = ''] = ref.split('/');
      const ready = readyOf(await read(kind as Kind, name).catch(() => ({ resourceVersion: '', status: {} })));
      return [ref, ready ? `${ready.status} ${ready.reason}` : ''];
    })));
    return Object.entries(expected).every(([ref, value]) => last[ref] === value) || undefined;
  }, 30_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`);
  });
}

const message = async (kind: Kind, name: string) => readyOf(await read(kind, name))?.message;

/** The event `reason` on the object (its kind too: names repeat across kinds). */
function waitForEventOn(kind: Kind, name: string, reason: string) {
  return waitFor(`event ${reason} on ${kind} ${name}`, async () =>
    (await eventsFor(env, HERALD_NAMESPACE, name)).find((e) => e.reason === reason && e.involvedObject.kind === kind));
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-bgp-status-home-'));
  env = await startEnv();
}, 120_000);

afterAll(async () => {
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

test('a controller that does not lead writes no BGP status', async () => {
  const now = new Date().toISOString().replace('Z', '000Z');
  await env.kc.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: HERALD_NAMESPACE, body: {
    metadata: { name: 'herald-controller', namespace: HERALD_NAMESPACE },
    spec: { holderIdentity: 'the-other-replica', leaseDurationSeconds: 3600, acquireTime: now as unknown as Date, renewTime: now as unknown as Date },
  } });
  const follower = await startTestController(env, { identity: 'follower', leaderElect: true, timings: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 } });
  await apply(peer('while-following', { vrf: 'red' }));
  await waitFor('the follower to have seen it', async () => follower.driver.notReadyReason() === undefined);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(follower.isLeader()).toBe(false);
  expect((await read('BGPPeer', 'while-following')).status).toEqual({});
  await follower.stop();
  await kubectl(['delete', 'bgppeer', 'while-following', '-n', HERALD_NAMESPACE]);
  await kubectl(['delete', 'lease', 'herald-controller', '-n', HERALD_NAMESPACE]);
}, 60_000);

test('each mistake is Ready=False with its reason and an event on the object at fault; the valid objects are Ready=True; fixes turn them True', async () => {
  await apply(
    manifest('IPAddressPool', 'lan', { addresses: ['192.0.2.0/28'] }),
    manifest('IPAddressPool', 'hosts', { addresses: ['198.51.100.7/32', '198.51.100.9/32'] }),
    peer('good'),
    peer('both-passwords', { peerAddress: '192.0.2.2', password: 'x', passwordSecret: { name: 'tor-md5' } }),
    peer('ibgp-multihop', { peerAddress: '192.0.2.3', peerASN: 64512, ebgpMultiHop: true }),
    peer('wants-bfd', { peerAddress: '192.0.2.4', bfdProfile: 'fast' }),
    peer('wants-secret', { peerAddress: '192.0.2.5', passwordSecret: { name: 'tor-md5' } }),
    peer('dup-a', { peerAddress: '192.0.2.9' }),
    peer('dup-b', { peerAddress: '192.0.2.9' }),
    manifest('BGPAdvertisement', 'pref-100', { ipAddressPools: ['lan'], localPref: 100 }),
    manifest('BGPAdvertisement', 'pref-200', { ipAddressPools: ['lan'], localPref: 200 }),
    manifest('BGPAdvertisement', 'agg-24', { ipAddressPools: ['hosts'], aggregationLength: 24 }),
    manifest('BGPAdvertisement', 'hosts', { ipAddressPools: ['hosts'] }),
    manifest('BFDProfile', 'echo', { echoMode: true }),
    manifest('Community', 'aliases', { communities: [{ name: 'no-export', value: '65535:65281' }] }),
  );
  // Not ours: a speaker's sessions and another writer's condition on a peer, before the controller starts.
  const theirs = { type: 'example.com/Reachable', status: 'True', reason: 'Probed', message: 'not ours', lastTransitionTime: '2025-01-01T00:00:00Z' };
  const nodes = [{ node: 'n1', state: 'Established', since: '2025-01-01T00:00:00Z' }];
  await kubectl(['patch', 'bgppeer', 'good', '-n', HERALD_NAMESPACE, '--subresource=status', '--type=merge', '-p',
    JSON.stringify({ status: { nodes, conditions: [theirs] } })]);

  const log = capturedLog('info');
  await startTestController(env, { logger: log.logger });
  await waitForReady({
    'BGPPeer/good': 'True Valid', 'BGPPeer/both-passwords': 'False PasswordConflict', 'BGPPeer/ibgp-multihop': 'False MultiHopWithIBGP',
    'BGPPeer/wants-bfd': 'False BFDProfileNotFound', 'BGPPeer/wants-secret': 'False SecretNotFound',
    'BGPPeer/dup-a': 'False DuplicatePeer', 'BGPPeer/dup-b': 'False DuplicatePeer',
    'BGPAdvertisement/pref-100': 'False LocalPrefConflict', 'BGPAdvertisement/pref-200': 'False LocalPrefConflict',
    'BGPAdvertisement/agg-24': 'False InvalidAggregationLength', 'BGPAdvertisement/hosts': 'True Valid',
    'BFDProfile/echo': 'False EchoModeNotSupported', 'Community/aliases': 'True Valid',
  });
  // The message names the object and the value.
  expect(await message('BGPPeer', 'both-passwords')).toBe('BGPPeer "both-passwords": both password and passwordSecret "tor-md5" are set; keep one; '
    + 'also BGPPeer "both-passwords": passwordSecret "tor-md5" names no Secret in "herald-system"');
  expect(await message('BGPPeer', 'ibgp-multihop')).toBe('BGPPeer "ibgp-multihop": ebgpMultiHop is set on an iBGP session (peerASN 64512 is myASN); multi-hop applies to eBGP only');
  expect(await message('BGPPeer', 'wants-secret')).toBe('BGPPeer "wants-secret": passwordSecret "tor-md5" names no Secret in "herald-system"');
  expect(await message('BGPAdvertisement', 'agg-24')).toBe('BGPAdvertisement "agg-24": aggregationLength 24 is shorter than /32, the widest IPv4 block of entry "198.51.100.7/32" of IPAddressPool "hosts": a /24 would announce addresses outside the pool; use 32 or longer');
  expect(await message('BGPAdvertisement', 'pref-100')).toMatch(/^BGPAdvertisement "pref-100": localPref 100 contradicts localPref 200 of BGPAdvertisement "pref-200"/);
  expect(await message('BGPPeer', 'dup-b')).toMatch(/^BGPPeer "dup-b": peerAddress 192\.0\.2\.9 is also the address of BGPPeer "dup-a", on every node/);

  // A Warning event on each object at fault, named for its kind.
  expect(await waitForEventOn('BGPPeer', 'both-passwords', 'PeerInvalid')).toMatchObject({ type: 'Warning', message: await message('BGPPeer', 'both-passwords') });
  await waitForEventOn('BGPAdvertisement', 'agg-24', 'AdvertisementInvalid');
  await waitForEventOn('BFDProfile', 'echo', 'BFDProfileInvalid');
  // One info line per change of readiness, naming the object.
  expect(log.lines.filter((l) => l.object === 'BGPPeer ibgp-multihop')).toEqual([
    expect.objectContaining({ ready: false, reason: 'MultiHopWithIBGP', msg: expect.stringMatching(/^BGPPeer "ibgp-multihop" is not ready \(MultiHopWithIBGP\): /) as unknown }),
  ]);

  // Only the Ready condition is the controller's: the speaker's nodes and the other condition stay.
  const good = await read('BGPPeer', 'good');
  expect(good.status.nodes).toEqual(nodes);
  expect(good.status.conditions?.map((c) => c.type)).toEqual(['example.com/Reachable', 'Ready']);

  // A change elsewhere (a new Community) runs a pass: what did not change is not written again.
  const before = await Promise.all([read('BGPPeer', 'good'), read('BGPPeer', 'dup-a'), read('BGPAdvertisement', 'hosts')]);
  await apply(manifest('Community', 'more', { communities: [{ name: 'gold', value: '65000:1' }] }));
  await waitForReady({ 'Community/more': 'True Valid' });
  const after = await Promise.all([read('BGPPeer', 'good'), read('BGPPeer', 'dup-a'), read('BGPAdvertisement', 'hosts')]);
  expect(after.map((r) => r.resourceVersion)).toEqual(before.map((r) => r.resourceVersion));

  // The missing BFDProfile and Secret are created: those peers turn Ready, with a PeerReady event.
  await apply(manifest('BFDProfile', 'fast', { receiveInterval: 100 }));
  await kubectl(['create', 'secret', 'generic', 'tor-md5', '-n', HERALD_NAMESPACE, '--type=kubernetes.io/basic-auth', '--from-literal=username=x']);
  await waitForReady({ 'BGPPeer/wants-bfd': 'True Valid', 'BFDProfile/fast': 'True Valid', 'BGPPeer/wants-secret': 'False InvalidSecret' });
  expect(await message('BGPPeer', 'wants-secret')).toBe('BGPPeer "wants-secret": passwordSecret "tor-md5" has no "password" key');
  await waitForEventOn('BGPPeer', 'wants-bfd', 'PeerReady');
  await kubectl(['delete', 'secret', 'tor-md5', '-n', HERALD_NAMESPACE]);
  await kubectl(['create', 'secret', 'generic', 'tor-md5', '-n', HERALD_NAMESPACE, '--type=kubernetes.io/basic-auth', '--from-literal=password=s3cret']);
  await waitForReady({ 'BGPPeer/wants-secret': 'True Valid' });

  // The other mistakes are fixed by editing the objects.
  await apply(
    peer('both-passwords', { peerAddress: '192.0.2.2', passwordSecret: { name: 'tor-md5' } }),
    peer('ibgp-multihop', { peerAddress: '192.0.2.3', peerASN: 64512 }),
    peer('dup-b', { peerAddress: '192.0.2.10' }),
    manifest('BGPAdvertisement', 'pref-200', { ipAddressPools: ['lan'], localPref: 100 }),
    manifest('BGPAdvertisement', 'agg-24', { ipAddressPools: ['hosts'], aggregationLength: 32 }),
  );
  await waitForReady({
    'BGPPeer/both-passwords': 'True Valid', 'BGPPeer/ibgp-multihop': 'True Valid', 'BGPPeer/dup-a': 'True Valid', 'BGPPeer/dup-b': 'True Valid',
    'BGPAdvertisement/pref-100': 'True Valid', 'BGPAdvertisement/pref-200': 'True Valid', 'BGPAdvertisement/agg-24': 'True Valid',
  });
  // Still not ours after a rewrite.
  expect((await read('BGPPeer', 'good')).status.nodes).toEqual(nodes);

  // kubectl shows READY and REASON.
  const peers = kubectlTable(await kubectl(['get', 'bgppeers', '-n', HERALD_NAMESPACE]));
  expect(peers.find((r) => r.NAME === 'good')).toMatchObject({ READY: 'True', REASON: 'Valid' });
  expect(kubectlTable(await kubectl(['get', 'bfdprofiles', '-n', HERALD_NAMESPACE])).find((r) => r.NAME === 'echo'))
    .toMatchObject({ READY: 'False', REASON: 'EchoModeNotSupported' });
}, 180_000);
