// BGPPeer, BGPAdvertisement, BFDProfile, Community and ServiceBGPStatus through the real kubectl: the CRDs
// config/default installs are accepted (on a real kube-apiserver with HERALD_API_BACKEND=real, which also checks the
// CEL rules' cost), a valid set as a MetalLB user writes it is applied, the short names and columns work, and what
// the schema can refuse on its own is refused with an error naming the field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiBackend, type ApiBackend } from '../cluster/backend.js';
import { kubectlTable, runKubectl, type KubectlRun } from '../support/kubectl.js';

let backend: ApiBackend;
let home: string;

const kubectl = (args: string[], stdin?: string): Promise<KubectlRun> => runKubectl(backend.kubeconfigPath, home, args, stdin);

async function ok(args: string[], stdin?: string): Promise<string> {
  const run = await kubectl(args, stdin);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return run.stdout;
}


const obj = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: 'herald-system' }, spec });
/** Several objects in one `kubectl apply -f -`, as YAML documents (JSON is YAML). */
const list = (...items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n---\n');

const CRDS = ['bgppeers', 'bgpadvertisements', 'bfdprofiles', 'communities', 'servicebgpstatuses'].map((p) => `crd/${p}.herald.dev`);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-bgp-kinds-home-'));
  backend = await startApiBackend();
  await ok(['apply', '-k', 'config/default']);
  await ok(['wait', '--for=condition=Established', '--timeout=30s', ...CRDS]);
}, 90_000);

afterAll(async () => {
  await backend?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

test('a valid set (peers, an advertisement, a BFD profile, community aliases) is accepted and listed with its columns', async () => {
  const applied = await ok(['apply', '-f', '-'], list(
    obj('BFDProfile', 'fast', { receiveInterval: 50, transmitInterval: 50, detectMultiplier: 3, passiveMode: false }),
    obj('Community', 'aliases', { communities: [{ name: 'no-export', value: '65535:65281' }, { name: 'site', value: 'large:64512:1:2' }] }),
    obj('BGPPeer', 'tor-a', {
      myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', holdTime: '90s', keepaliveTime: '30s', connectTime: '10s',
      bfdProfile: 'fast', passwordSecret: { name: 'tor-md5', namespace: 'herald-system' }, nodeSelectors: [{ matchLabels: { rack: 'a' } }],
    }),
    obj('BGPPeer', 'tor-v6', { myASN: 64512, dynamicASN: 'external', peerAddress: '2001:db8::1', ebgpMultiHop: true, routerID: '10.0.0.1' }),
    obj('BGPAdvertisement', 'lan', {
      ipAddressPools: ['lan'], aggregationLength: 32, localPref: 100, communities: ['no-export', '65000:100', 'large:1:2:3'], peers: ['tor-a'],
    }),
  ));
  expect(applied.trim().split('\n')).toEqual([
    'bfdprofile.herald.dev/fast created', 'community.herald.dev/aliases created', 'bgppeer.herald.dev/tor-a created',
    'bgppeer.herald.dev/tor-v6 created', 'bgpadvertisement.herald.dev/lan created',
  ]);

  const peers = kubectlTable(await ok(['get', 'bgpp', '-n', 'herald-system']));
  expect(Object.keys(peers[0] ?? {})).toEqual(['NAME', 'READY', 'REASON', 'ADDRESS', 'ASN', 'BFD PROFILE', 'MULTI HOPS', 'AGE']);
  expect(peers.map((r) => [r.NAME, r.ADDRESS, r.ASN, r['BFD PROFILE'], r['MULTI HOPS']])).toEqual([
    ['tor-a', '192.0.2.1', '64500', 'fast', ''], ['tor-v6', '2001:db8::1', '', '', 'true'],
  ]);
  const wide = kubectlTable(await ok(['get', 'bgppeers', '-n', 'herald-system', '-o', 'wide']));
  expect(wide.find((r) => r.NAME === 'tor-v6')?.['DYNAMIC ASN']).toBe('external');
  // The schema's default, as MetalLB's.
  expect(JSON.parse(await ok(['get', 'bgppeer', 'tor-a', '-n', 'herald-system', '-o', 'json'])).spec.peerPort).toBe(179);

  const ads = kubectlTable(await ok(['get', 'bgpadv', '-n', 'herald-system']));
  expect(Object.keys(ads[0] ?? {})).toEqual(['NAME', 'READY', 'REASON', 'IPADDRESSPOOLS', 'IPADDRESSPOOL SELECTORS', 'PEERS', 'AGE']);
  expect(ads.map((r) => [r.NAME, r.IPADDRESSPOOLS, r.PEERS])).toEqual([['lan', '["lan"]', '["tor-a"]']]);
  const bfd = kubectlTable(await ok(['get', 'bfdp', '-n', 'herald-system']));
  expect(bfd.map((r) => [r.NAME, r['PASSIVE MODE'], r['TRANSMIT INTERVAL'], r['RECEIVE INTERVAL'], r.MULTIPLIER])).toEqual([['fast', 'false', '50', '50', '3']]);
  expect(kubectlTable(await ok(['get', 'bgpcomm', '-n', 'herald-system'])).map((r) => r.NAME)).toEqual(['aliases']);
  if (backend.name === 'real') {
    expect(await ok(['explain', 'bgppeer.spec.holdTime'])).toMatch(/The hold time proposed in OPEN/);
  }
}, 60_000);

const SESSION_STATES = '"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"';

test.each([
  ['BGPPeer', 'no-asn', { myASN: 64512, peerAddress: '192.0.2.1' }, /^spec\.peerASN: Invalid value: .*set exactly one of peerASN and dynamicASN$/],
  ['BGPPeer', 'asn-zero', { myASN: 0, peerASN: 1, peerAddress: '192.0.2.1' }, /^spec\.myASN: Invalid value: 0: spec\.myASN in body should be greater than or equal to 1/],
  ['BGPPeer', 'asn-big', { myASN: 1, peerASN: 4294967296, peerAddress: '192.0.2.1' }, /^spec\.peerASN: Invalid value: 4294967296: spec\.peerASN in body should be less than or equal to 4294967295/],
  ['BGPPeer', 'bad-address', { myASN: 1, peerASN: 2, peerAddress: 'router.example' },
    /^spec\.peerAddress: Invalid value: "router\.example": peerAddress "router\.example" is not an IP address \(like 192\.0\.2\.1 or 2001:db8::1\)$/],
  ['BGPPeer', 'v6-router-id', { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1', routerID: '2001:db8::1' }, /^spec\.routerID: Invalid value: "2001:db8::1": routerID "2001:db8::1" is not an IPv4 address/],
  ['BGPPeer', 'bad-hold', { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1', holdTime: '90' }, /^spec\.holdTime: Invalid value: "90": spec\.holdTime in body should match/],
  ['BGPPeer', 'bad-dynamic', { myASN: 1, dynamicASN: 'both', peerAddress: '192.0.2.1' }, /^spec\.dynamicASN: Unsupported value: "both": supported values: "internal", "external"/],
  ['BGPAdvertisement', 'agg-33', { aggregationLength: 33 }, /^spec\.aggregationLength: Invalid value: 33: spec\.aggregationLength in body should be less than or equal to 32/],
  ['BGPAdvertisement', 'same-community', { communities: ['1:1', '1:1'] }, /^spec\.communities\[1\]: Duplicate value: "1:1"$/],
  ['BFDProfile', 'fast-rx', { receiveInterval: 9 }, /^spec\.receiveInterval: Invalid value: 9: spec\.receiveInterval in body should be greater than or equal to 10$/],
  ['BFDProfile', 'low-mult', { detectMultiplier: 1 }, /^spec\.detectMultiplier: Invalid value: 1: spec\.detectMultiplier in body should be greater than or equal to 2$/],
  ['Community', 'not-a-value', { communities: [{ name: 'a', value: 'no-export' }] }, /^spec\.communities\[0\]\.value: Invalid value: "no-export": spec\.communities\[0\]\.value in body should match/],
  ['Community', 'twice', { communities: [{ name: 'a', value: '1:1' }, { name: 'a', value: '1:2' }] }, /^spec\.communities\[1\]: Duplicate value: .*"name":\s*"a"/],
])('%s %s is refused, the error naming the field', async (kind, name, spec, says) => {
  const run = await kubectl(['apply', '-f', '-'], JSON.stringify(obj(kind, name, spec)));
  expect(run.code).not.toBe(0);
  const prefix = `The ${kind} "${name}" is invalid: `;
  expect(run.stderr.startsWith(prefix)).toBe(true);
  // With several errors kube lists them ("* a", "* b"): a bound's error is followed by "<nil>: ... some validation
  // rules were not checked" when the CRD has CEL rules. The first names the field.
  const errors = run.stderr.slice(prefix.length).trim().split(/, <nil>: |\n/).map((e) => e.replace(/^\* /, '')).filter((e) => e !== '');
  expect(errors[0]).toMatch(says);
});

test('a BGPPeer\'s per-node sessions go through /status; an unknown state is refused', async () => {
  const patch = (nodes: unknown) => kubectl(['patch', 'bgppeer', 'tor-a', '-n', 'herald-system', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { nodes } })]);
  const good = await patch([{ node: 'n1', state: 'Established', since: '2025-01-01T00:00:00Z' }, { node: 'n2', state: 'Active', lastError: 'connection refused' }]);
  expect({ code: good.code, stderr: good.stderr }).toEqual({ code: 0, stderr: '' });
  const bad = await patch([{ node: 'n1', state: 'Up' }]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain(`status.nodes[0].state: Unsupported value: "Up": supported values: ${SESSION_STATES}`);
}, 60_000);

test('a ServiceBGPStatus keeps the status it was created with; bgpstatus shows MetalLB\'s columns', async () => {
  const status = { node: 'node-a', serviceName: 'web', serviceNamespace: 'default', peers: ['tor-a', 'tor-v6'] };
  await ok(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'herald.dev/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 'bgp-web', namespace: 'default' }, status,
  }));
  const rows = kubectlTable(await ok(['get', 'bgpstatus', '-n', 'default']));
  expect(rows.map((r) => [r.NAME, r.NODE, r['SERVICE NAME'], r['SERVICE NAMESPACE']])).toEqual([['bgp-web', 'node-a', 'web', 'default']]);
  expect(JSON.parse(await ok(['get', 'servicebgpstatus', 'bgp-web', '-n', 'default', '-o', 'json'])).status).toEqual(status);
}, 60_000);
