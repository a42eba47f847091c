// `kubectl herald validate`, judged by the cluster: for each bad object, the problems it prints offline are the
// ones the real kube-apiserver answers to `kubectl apply` (schema and CEL), and for each bad combination of
// objects the messages are the Ready condition the real controller writes (rules across objects). Run through
// kubectl's plugin mechanism, on the backend HERALD_API_BACKEND names (the real control plane in CI).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onRealBackend } from '../cluster/backend.js';
import { startEnv, startTestController, type Env } from '../integration/harness.js';
import { runKubectl, runKubectlPlugin } from '../support/kubectl.js';
import { applyErrors, validateMessages, waitForReadyMessage } from './validate-cluster.js';

let env: Env;
let home: string;
let dir: string;

beforeAll(async () => {
  env = await startEnv();
  home = mkdtempSync(join(tmpdir(), 'herald-validate-home-'));
  dir = mkdtempSync(join(tmpdir(), 'herald-validate-'));
}, 300_000);

afterAll(async () => {
  await env.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const ns = 'herald-system';
const doc = (kind: string, name: string, spec: string): string =>
  `apiVersion: herald.dev/v1beta1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${spec}`;
const pool = (name: string, addresses: string[], extra = ''): string =>
  doc('IPAddressPool', name, `spec:\n  addresses: [${addresses.map((a) => JSON.stringify(a)).join(', ')}]\n${extra}`);

function manifest(name: string, docs: string[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, docs.join('---\n'));
  return path;
}

const validate = (...files: string[]) => runKubectlPlugin(env.backend.kubeconfigPath, home, ['validate', ...files.flatMap((f) => ['-f', f])]);

// Each row: one object kube-apiserver refuses, and the object it is (Kind/name).
const SCHEMA_ROWS: { what: string; object: string; yaml: string }[] = [
  { what: 'a reversed range (CEL)', object: 'IPAddressPool/reversed', yaml: pool('reversed', ['192.0.2.20-192.0.2.10']) },
  { what: 'not a CIDR (CEL messageExpression)', object: 'IPAddressPool/not-cidr', yaml: pool('not-cidr', ['192.0.2.0/33']) },
  { what: 'a range mixing families (CEL)', object: 'IPAddressPool/mixed', yaml: pool('mixed', ['192.0.2.1-2001:db8::1']) },
  { what: 'no spec (required)', object: 'IPAddressPool/no-spec', yaml: doc('IPAddressPool', 'no-spec', '') },
  { what: 'a string for a boolean (type) with a CEL rule skipped', object: 'IPAddressPool/typed', yaml: pool('typed', ['192.0.2.0/28'], '  autoAssign: "yes"\n') },
  { what: 'an interface name too long (CEL)', object: 'L2Advertisement/long-if', yaml: doc('L2Advertisement', 'long-if', 'spec:\n  interfaces: [a-very-long-interface0]\n') },
  { what: 'peerASN and dynamicASN both (CEL on spec)', object: 'BGPPeer/both-asn', yaml: doc('BGPPeer', 'both-asn', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  dynamicASN: external\n  peerAddress: 192.0.2.1\n') },
  { what: 'a routerID that is IPv6 (CEL)', object: 'BGPPeer/v6-id', yaml: doc('BGPPeer', 'v6-id', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.1\n  routerID: "2001:db8::1"\n') },
  { what: 'a name and a label key kube refuses (ObjectMeta)', object: 'IPAddressPool/Bad_Name',
    yaml: 'apiVersion: herald.dev/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: Bad_Name\n  namespace: herald-system\n  labels: {"a/b/c": x}\nspec:\n  addresses: [192.0.2.0/28]\n' },
  { what: 'two errors in one object', object: 'BGPPeer/two', yaml: doc('BGPPeer', 'two', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: not-an-ip\n  sourceAddress: also-not\n') },
];

// kubectl apply asks for strict field validation: unknown fields are refused while decoding, before any other check.
const UNKNOWN_FIELD_ROWS = [
  { what: 'a MetalLB field Herald does not have', object: 'BGPPeer/disable-mp', yaml: doc('BGPPeer', 'disable-mp', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.1\n  disableMP: true\n') },
  { what: 'two misspelt fields, one inside a list', object: 'IPAddressPool/typos', yaml: pool('typos', ['192.0.2.0/28'], '  autoAsign: false\n  serviceAllocation:\n    namespaceSelectors:\n      - matchLabel: {a: b}\n') },
];

// Real backend only: the API emulator prunes unknown fields but does not implement strict field validation.
(onRealBackend ? describe : describe.skip)('unknown fields: the same fields kube-apiserver names to kubectl apply', () => {
  test.each(UNKNOWN_FIELD_ROWS)('$what', async ({ object, yaml }) => {
    const file = manifest(object.replace('/', '-'), [yaml]);
    const apply = await runKubectl(env.backend.kubeconfigPath, home, ['apply', '-f', file]);
    expect(apply.code).not.toBe(0);
    const offline = await validate(file);
    expect(offline.code).toBe(1);
    const named = (text: string) => [...text.matchAll(/unknown field "[^"]+"/g)].map((m) => m[0]).sort();
    expect(named(apply.stderr)).not.toEqual([]);
    expect(validateMessages(offline.stdout, object).sort()).toEqual(named(apply.stderr));
  }, 60_000);
});

describe('schema and CEL: the same errors kube-apiserver answers to kubectl apply', () => {
  test.each(SCHEMA_ROWS)('$what', async ({ object, yaml }) => {
    const file = manifest(object.replace('/', '-'), [yaml]);
    const apply = await runKubectl(env.backend.kubeconfigPath, home, ['apply', '-f', file]);
    expect(apply.code).not.toBe(0);
    const offline = await validate(file);
    expect(offline.code).toBe(1);
    expect(validateMessages(offline.stdout, object).sort()).toEqual(applyErrors(apply.stderr).sort());
  }, 60_000);
});

// Each row: objects kube-apiserver accepts, and for each object the controller marks Ready=False, its name.
const CROSS_ROWS: { what: string; yaml: string[]; judged: string[] }[] = [
  { what: 'overlapping pools', judged: ['IPAddressPool/ov-a', 'IPAddressPool/ov-b'],
    yaml: [pool('ov-a', ['198.51.100.0/28']), pool('ov-b', ['198.51.100.8-198.51.100.20'])] },
  { what: 'an L2Advertisement naming no existing pool', judged: ['L2Advertisement/l2-nothing'],
    yaml: [pool('l2-pool', ['198.51.100.64/28']), doc('L2Advertisement', 'l2-nothing', 'spec:\n  ipAddressPools: [not-there]\n')] },
  { what: 'an L2Advertisement whose pool selector matches nothing', judged: ['L2Advertisement/l2-sel'],
    yaml: [pool('sel-pool', ['198.51.100.80/28']), doc('L2Advertisement', 'l2-sel', 'spec:\n  ipAddressPoolSelectors:\n    - matchLabels: {team: none}\n')] },
  { what: 'aggregation shorter than the pool', judged: ['BGPAdvertisement/agg-short'],
    yaml: [pool('agg-pool', ['198.51.100.96/27']), doc('BGPAdvertisement', 'agg-short', 'spec:\n  ipAddressPools: [agg-pool]\n  aggregationLength: 24\n')] },
  { what: 'conflicting localPref', judged: ['BGPAdvertisement/pref-100', 'BGPAdvertisement/pref-200'],
    yaml: [pool('pref-pool', ['198.51.100.128/28']),
      doc('BGPAdvertisement', 'pref-100', 'spec:\n  ipAddressPools: [pref-pool]\n  localPref: 100\n'),
      doc('BGPAdvertisement', 'pref-200', 'spec:\n  ipAddressPools: [pref-pool]\n  localPref: 200\n')] },
  { what: 'a peer naming a missing BFDProfile, and an echo-mode profile', judged: ['BGPPeer/bfd-peer', 'BFDProfile/echo'],
    yaml: [doc('BGPPeer', 'bfd-peer', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.1\n  bfdProfile: missing\n'),
      doc('BFDProfile', 'echo', 'spec:\n  echoMode: true\n')] },
  { what: 'an alias defined twice and an unknown alias', judged: ['Community/dup-1', 'Community/dup-2', 'BGPAdvertisement/alias-ad'],
    yaml: [doc('Community', 'dup-1', 'spec:\n  communities: [{name: edge, value: "64500:1"}]\n'),
      doc('Community', 'dup-2', 'spec:\n  communities: [{name: edge, value: "64500:2"}]\n'),
      pool('alias-pool', ['198.51.100.160/28']),
      doc('BGPAdvertisement', 'alias-ad', 'spec:\n  ipAddressPools: [alias-pool]\n  communities: [nowhere]\n')] },
  { what: 'a peer in a VRF, multi-hop on iBGP, a keepalive longer than the hold time, and both password forms', judged: ['BGPPeer/odd-peer'],
    yaml: ['apiVersion: v1\nkind: Secret\nmetadata: {name: md5, namespace: herald-system}\ntype: kubernetes.io/basic-auth\ndata: {password: eA==}\n',
      doc('BGPPeer', 'odd-peer', 'spec:\n  myASN: 64500\n  peerASN: 64500\n  peerAddress: 192.0.2.2\n  vrf: red\n  ebgpMultiHop: true\n'
      + '  holdTime: 9s\n  keepaliveTime: 30s\n  password: secret\n  passwordSecret: {name: md5, namespace: herald-system}\n')] },
  { what: 'two peers at one address for the same nodes', judged: ['BGPPeer/twin-a', 'BGPPeer/twin-b'],
    yaml: [doc('BGPPeer', 'twin-a', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.3\n'),
      doc('BGPPeer', 'twin-b', 'spec:\n  myASN: 64500\n  peerASN: 64502\n  peerAddress: 192.0.2.3\n')] },
  { what: 'a community value out of range', judged: ['Community/too-big'],
    yaml: [doc('Community', 'too-big', 'spec:\n  communities: [{name: big, value: "65536:1"}]\n')] },
  { what: 'a passwordSecret of the wrong type and one without the key, the Secrets in the input', judged: ['BGPPeer/opaque-md5', 'BGPPeer/keyless-md5'],
    yaml: [
      'apiVersion: v1\nkind: Secret\nmetadata: {name: opaque, namespace: herald-system}\nstringData: {password: x}\n',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: keyless, namespace: herald-system}\ntype: kubernetes.io/basic-auth\nstringData: {username: u}\n',
      doc('BGPPeer', 'opaque-md5', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.4\n  passwordSecret: {name: opaque, namespace: herald-system}\n'),
      doc('BGPPeer', 'keyless-md5', 'spec:\n  myASN: 64500\n  peerASN: 64501\n  peerAddress: 192.0.2.5\n  passwordSecret: {name: keyless, namespace: herald-system}\n')] },
  { what: 'an L2Advertisement node selector the schema lets through but that cannot be used', judged: ['L2Advertisement/l2-bad-sel'],
    yaml: [pool('l2bs-pool', ['198.51.100.192/28']),
      doc('L2Advertisement', 'l2-bad-sel', 'spec:\n  nodeSelectors:\n    - matchExpressions: [{key: rack, operator: Exists, values: [r1]}]\n')] },
  { what: 'a pool selector the schema lets through but that cannot be used', judged: ['IPAddressPool/bad-sel'],
    yaml: [pool('bad-sel', ['198.51.100.176/28'], '  serviceAllocation:\n    serviceSelectors:\n      - matchExpressions: [{key: tier, operator: In}]\n')] },
];

describe('rules across objects: the messages of the Ready condition the controller writes', () => {
  beforeAll(async () => {
    await startTestController(env);
  });

  test.each(CROSS_ROWS)('$what', async ({ what, yaml, judged }) => {
    const file = manifest(what.replace(/\W+/g, '-'), yaml);
    const offline = await validate(file);
    expect(offline.code).toBe(1);
    const apply = await runKubectl(env.backend.kubeconfigPath, home, ['apply', '-f', file]);
    expect(apply).toMatchObject({ code: 0 });
    try {
      for (const object of judged) {
        const messages = validateMessages(offline.stdout, object);
        expect(messages).not.toEqual([]);
        const [kind = '', name = ''] = object.split('/');
        await waitForReadyMessage(env, kind, name, messages.join('; also '));
      }
    } finally {
      await runKubectl(env.backend.kubeconfigPath, home, ['delete', '-f', file, '--wait']);
    }
    const judgedLines = offline.stdout.trim().split('\n').filter((l) => judged.some((o) => l.includes(`: ${o}: `)));
    expect(judgedLines).toEqual(offline.stdout.trim().split('\n'));
  }, 60_000);
});

test('config/samples validate clean, and the summary counts them', async () => {
  const run = await validate('config/samples');
  expect(run.code).toBe(0);
  expect(run.stdout).toBe('4 Herald objects valid (4 IPAddressPool); 9 other objects skipped\n');
  expect(run.stderr).toContain('config/samples/service-basic.yaml: Service/web: skipped, not a herald.dev object (v1)');
});
