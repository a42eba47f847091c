// migrate-from-metallb from files: MetalLB's custom resources, its legacy ConfigMap (both spellings) and the
// deprecated AddressPool → Herald objects, each dropped field named, and the result judged by validate's code.
// The plugin runs through kubectl's plugin mechanism with no cluster at all (-f needs none).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { migrate } from '../../cli/migrate/convert.js';
import type { JsonObject } from '../../cli/migrate/types.js';
import { runKubectlPlugin } from '../support/kubectl.js';
import { FIXTURES } from './migrate-cluster.js';

let home: string;
beforeAll(() => { home = mkdtempSync(join(tmpdir(), 'herald-migrate-')); });
afterAll(() => rmSync(home, { recursive: true, force: true }));

const plugin = (args: string[]) => runKubectlPlugin(join(home, 'no-kubeconfig'), home, args);
const docs = (text: string): JsonObject[] => parseAllDocuments(text).map((d) => d.toJS() as JsonObject).filter((o) => o !== null);
const byRef = (objects: readonly JsonObject[]) => Object.fromEntries(objects.map((o) => [`${String(o.kind)}/${String((o.metadata as { name: string }).name)}`, o.spec]));

function configMap(config: string): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'metallb-system' }, data: { config } };
}

test('custom resources carry over field for field, in herald-system; what Herald lacks is named', async () => {
  const run = await plugin(['migrate-from-metallb', '-f', join(FIXTURES, 'crs.yaml')]);
  expect(run.code).toBe(0);
  const objects = docs(run.stdout);
  expect(objects.every((o) => o.apiVersion === 'herald.dev/v1beta1' && (o.metadata as { namespace: string }).namespace === 'herald-system')).toBe(true);
  expect(Object.keys(byRef(objects))).toEqual([
    'IPAddressPool/lan', 'IPAddressPool/reserved', 'IPAddressPool/routed', 'Community/well-known', 'BFDProfile/fast', 'BGPPeer/tor',
    'L2Advertisement/lan', 'L2Advertisement/reserved', 'BGPAdvertisement/routed',
  ]);
  expect(byRef(objects)['BGPPeer/tor']).toEqual({
    myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.254', holdTime: '90s', bfdProfile: 'fast',
    passwordSecret: { name: 'tor-md5', namespace: 'herald-system' }, nodeSelectors: [{ matchLabels: { rack: 'r1' } }],
  });
  expect((objects[0]?.metadata as { labels: unknown }).labels).toEqual({ zone: 'lan' });
  expect(run.stdout).toContain('# WARNING: spec.disableMP is not carried over: Herald has no such field');
  expect(run.stderr).toContain('warning: BGPPeer/tor: spec.passwordSecret: Herald reads the Secret "tor-md5" from namespace herald-system; copy it there from metallb-system');
  expect(run.stderr).toContain('note: ServiceL2Status metallb-system/l2-web: skipped, state MetalLB writes');
  const file = join(home, 'migrated.yaml');
  writeFileSync(file, run.stdout);
  expect(await plugin(['validate', '-f', file])).toMatchObject({ code: 0, stdout: '9 Herald objects valid (1 BFDProfile, 1 BGPAdvertisement, 1 BGPPeer, 1 Community, 3 IPAddressPool, 2 L2Advertisement)\n' });
}, 60_000);

test('the legacy ConfigMap becomes the same pools, an advertisement per protocol and per bgp-advertisement', async () => {
  const run = await plugin(['migrate-from-metallb', '-f', join(FIXTURES, 'configmap.yaml')]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  const spec = byRef(docs(run.stdout));
  const fromCrs = byRef(docs((await plugin(['migrate-from-metallb', '-f', join(FIXTURES, 'crs.yaml')])).stdout));
  for (const pool of ['IPAddressPool/lan', 'IPAddressPool/reserved', 'IPAddressPool/routed']) expect(spec[pool]).toEqual(fromCrs[pool]);
  expect(spec).toMatchObject({
    'L2Advertisement/lan': { ipAddressPools: ['lan'] },
    'L2Advertisement/reserved': { ipAddressPools: ['reserved'] },
    'BGPAdvertisement/routed-1': { ipAddressPools: ['routed'], aggregationLength: 32, localPref: 100, communities: ['no-export'] },
    'BGPAdvertisement/routed-2': { ipAddressPools: ['routed'], aggregationLength: 28, communities: ['64500:1'] },
    'Community/communities': { communities: [{ name: 'no-export', value: '65535:65281' }] },
    'BFDProfile/slow': { receiveInterval: 500, transmitInterval: 500, echoMode: false },
    'BGPPeer/peer-192-0-2-254': {
      peerAddress: '192.0.2.254', peerASN: 64501, myASN: 64500, holdTime: '120s', routerID: '192.0.2.10', bfdProfile: 'slow',
      nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-1' }, matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1', 'r2'] }] }],
    },
  });
}, 60_000);

test('the pre-0.9 spelling: cidr, advertisements, communities, a top-level protocol, hold-time in seconds, yes/no', () => {
  const { objects, notes } = migrate([configMap([
    'protocol: bgp',
    'peers: [{peer-address: 192.0.2.1, peer-asn: 64501, my-asn: 64500, hold-time: 120}]',
    'communities: {edge: "64500:9"}',
    'address-pools:',
    '- {name: old, cidr: [192.0.2.0/28], auto-assign: "no", advertisements: [{aggregation-length: 30, communities: [edge]}]}',
    'colour: blue',
  ].join('\n'))]);
  expect(byRef(objects.map((m) => m.object))).toEqual({
    'IPAddressPool/old': { addresses: ['192.0.2.0/28'], autoAssign: false },
    'Community/communities': { communities: [{ name: 'edge', value: '64500:9' }] },
    'BGPPeer/peer-192-0-2-1': { peerAddress: '192.0.2.1', peerASN: 64501, myASN: 64500, holdTime: '120s' },
    'BGPAdvertisement/old': { ipAddressPools: ['old'], aggregationLength: 30, communities: ['edge'] },
  });
  expect(notes).toEqual(['ConfigMap metallb-system/config: key colour is not carried over: not part of MetalLB\'s configuration that Herald knows']);
});

test.each([
  { what: 'a pool without a protocol', config: 'address-pools: [{name: p, addresses: [192.0.2.0/28]}]',
    warning: 'protocol null is neither layer2 nor bgp: the pool is migrated without an advertisement, so Herald assigns its IPs but announces none; add an L2Advertisement or BGPAdvertisement' },
  { what: 'a pool key Herald does not know', config: 'address-pools: [{name: p, protocol: layer2, addresses: [192.0.2.0/28], colour: red}]',
    warning: 'colour is not carried over: MetalLB\'s legacy pools have no such key that Herald knows' },
  { what: 'a peer key Herald does not know', config: 'peers: [{peer-address: 192.0.2.1, peer-asn: 1, my-asn: 2, vrf-name: red}]',
    warning: 'spec.vrfName is not carried over: Herald has no such field' },
])('$what is named in a warning', ({ config, warning }) => {
  expect(migrate([configMap(config)]).objects.flatMap((m) => m.warnings)).toContain(warning);
});

test('the deprecated AddressPool becomes a pool and its advertisement; status objects and other kinds are skipped', () => {
  const { objects, notes } = migrate([
    { apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'legacy', namespace: 'metallb-system' },
      spec: { protocol: 'bgp', addresses: ['192.0.2.0/28'], bgpAdvertisements: [{ localPref: 50 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' } },
  ]);
  expect(byRef(objects.map((m) => m.object))).toEqual({
    'IPAddressPool/legacy': { addresses: ['192.0.2.0/28'] },
    'BGPAdvertisement/legacy': { ipAddressPools: ['legacy'], localPref: 50 },
  });
  expect(notes).toEqual(['Service default/web: skipped, not a MetalLB object (v1)']);
});

test('echo mode is dropped with a warning; what validate finds is written above the object and makes the exit code 1; -o DIR writes one file per object', async () => {
  const input = join(home, 'echo.yaml');
  writeFileSync(input, [
    'apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: echo, namespace: metallb-system}\nspec: {echoMode: true}\n',
    'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: a, namespace: metallb-system}\nspec: {addresses: [192.0.2.0/28]}\n',
    'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: b, namespace: metallb-system}\nspec: {addresses: [192.0.2.8/29]}\n',
  ].join('---\n'));
  const out = join(home, 'out');
  const run = await plugin(['migrate-from-metallb', '-f', input, '-o', out]);
  expect(run.code).toBe(1);
  expect(readdirSync(out).sort()).toEqual(['bfdprofile-echo.yaml', 'ipaddresspool-a.yaml', 'ipaddresspool-b.yaml']);
  const echo = readFileSync(join(out, 'bfdprofile-echo.yaml'), 'utf8');
  expect(echo).toContain('# WARNING: spec.echoMode: true is not carried over: Herald\'s BFD sends control packets only');
  expect(echo).toMatch(/\nspec: {}\n$/);
  expect(readFileSync(join(out, 'ipaddresspool-a.yaml'), 'utf8')).toContain('# PROBLEM: pool "a" overlaps pool "b" on 192.0.2.8-192.0.2.15');
  expect(run.stderr).toContain('problem: <migrated>: IPAddressPool/b: pool "b" overlaps pool "a" on 192.0.2.8-192.0.2.15');
}, 60_000);

test('input with no MetalLB configuration is an error, not an empty migration', async () => {
  const run = await plugin(['migrate-from-metallb', '-f', join(import.meta.dirname, '../../config/samples/service-basic.yaml')]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('error: no MetalLB configuration in the input: nothing to migrate');
}, 60_000);
