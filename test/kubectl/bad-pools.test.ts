// `kubectl apply` of every bad IPAddressPool docs/address-pools.md quotes an error for fails with exactly that
// error, and a good pool of each form is accepted: on the emulator, and with HERALD_API_BACKEND=real on a real
// kube-apiserver, which also has to accept the CRD (its CEL rules must fit the server's cost budget).
// The docs' table is read here, so a row without a pool below fails the suite.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiBackend, type ApiBackend } from '../cluster/backend.js';
import { runKubectl, type KubectlRun } from '../support/kubectl.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const NOT_CHECKED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; '
  + 'correct the existing errors to complete validation';

interface BadPool { name: string; spec: Record<string, unknown>; says: string[] }

const BAD_POOLS: BadPool[] = [
  { name: 'no-addresses', spec: {}, says: ['spec.addresses: Required value', NOT_CHECKED] },
  { name: 'empty', spec: { addresses: [] }, says: ['spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items'] },
  { name: 'bad-cidr', spec: { addresses: ['192.0.2.0/33'] }, says: [
    'spec.addresses[0]: Invalid value: "192.0.2.0/33": "192.0.2.0/33" is not a CIDR (like 192.0.2.0/24 or 2001:db8::/64), a range (like 192.0.2.10-192.0.2.20) or an IP address'] },
  { name: 'bad-range-end', spec: { addresses: ['192.0.2.1-192.0.2.x'] }, says: [
    'spec.addresses[0]: Invalid value: "192.0.2.1-192.0.2.x": range "192.0.2.1-192.0.2.x" must be two IP addresses joined by "-", like 192.0.2.10-192.0.2.20'] },
  { name: 'mixed-range', spec: { addresses: ['192.0.2.1-2001:db8::1'] }, says: [
    'spec.addresses[0]: Invalid value: "192.0.2.1-2001:db8::1": range "192.0.2.1-2001:db8::1" mixes IPv4 and IPv6: both ends must be of one family'] },
  { name: 'reversed-v4', spec: { addresses: ['192.0.2.20-192.0.2.10'] }, says: [
    'spec.addresses[0]: Invalid value: "192.0.2.20-192.0.2.10": range "192.0.2.20-192.0.2.10" is reversed: its first address is after its last'] },
  // Not in the docs' table: the same message for IPv6, whose ends may be written in any form isIP() accepts.
  { name: 'reversed-v6', spec: { addresses: ['2001:db8::/64', '2001:DB8::1:0 - 2001:db8::0:ffff'] }, says: [
    'spec.addresses[1]: Invalid value: "2001:DB8::1:0 - 2001:db8::0:ffff": range "2001:DB8::1:0 - 2001:db8::0:ffff" is reversed: its first address is after its last'] },
  { name: 'reversed-v6-dotted', spec: { addresses: ['64:ff9b::192.0.2.9-64:ff9b::c000:208'] }, says: [
    'spec.addresses[0]: Invalid value: "64:ff9b::192.0.2.9-64:ff9b::c000:208": range "64:ff9b::192.0.2.9-64:ff9b::c000:208" is reversed: its first address is after its last'] },
  { name: 'too-long', spec: { addresses: [`192.0.2.10 -${' '.repeat(107)}192.0.2.20`] }, says: [
    'spec.addresses[0]: Too long: may not be more than 128 bytes', NOT_CHECKED] },
  { name: 'too-many', spec: { addresses: Array.from({ length: 1001 }, (_, i) => `10.${i >> 8}.${i & 255}.1`) }, says: [
    'spec.addresses: Too many: 1001: must have at most 1000 items', NOT_CHECKED] },
  { name: 'auto-assign-string', spec: { addresses: ['192.0.2.0/24'], autoAssign: 'yes' }, says: [
    'spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"', NOT_CHECKED] },
  { name: 'negative-priority', spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { priority: -1 } }, says: [
    'spec.serviceAllocation.priority: Invalid value: -1: spec.serviceAllocation.priority in body should be greater than or equal to 0'] },
  // The bounds on serviceAllocation (crds/limits.test.ts): every list, map and string has one.
  { name: 'too-many-namespaces', spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { namespaces: Array.from({ length: 1001 }, (_, i) => `ns-${i}`) } }, says: [
    'spec.serviceAllocation.namespaces: Too many: 1001: must have at most 1000 items', NOT_CHECKED] },
  { name: 'long-label-value', spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'v'.repeat(64) } }] } }, says: [
    'spec.serviceAllocation.serviceSelectors[0].matchLabels.tier: Too long: may not be more than 63 bytes', NOT_CHECKED] },
  { name: 'long-label-key', spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { namespaceSelectors: [{ matchLabels: { [`${'a'.repeat(250)}.example/${'k'.repeat(64)}`]: 'v' } }] } }, says: [
    'spec.serviceAllocation.namespaceSelectors[0].matchLabels: Invalid value: label keys are at most 317 characters (a 253-character prefix, "/" and a 63-character name)'] },
  { name: 'bad-operator', spec: { addresses: ['192.0.2.0/24'], serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'Is' }] }] } }, says: [
    'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: Unsupported value: "Is": supported values: "In", "NotIn", "Exists", "DoesNotExist"', NOT_CHECKED] },
];

const GOOD_POOLS: Record<string, string[]> = {
  cidr: ['192.0.2.0/24'],
  range: ['198.51.100.10-198.51.100.20', '198.51.100.30 - 198.51.100.40'],
  address: ['203.0.113.7'],
  ipv6: ['2001:db8:6::/64', '2001:db8:7::10 - 2001:db8:7::1f', '2001:db8:8::7'],
  'ipv6-any-text': ['2001:0DB8:9::000A-2001:db8:9::b', '64:ff9b::192.0.2.1-64:ff9b::c000:2ff', '::-::1'],
};

/** The first column of the docs' "Rejected by `kubectl apply`" table: the errors kubectl prints. */
function documentedErrors(): string[] {
  const docs = readFileSync(join(repoRoot, 'docs/address-pools.md'), 'utf8');
  const section = docs.split('### Rejected by `kubectl apply`')[1]?.split('\n### ')[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}


let backend: ApiBackend;
let home: string;

const kubectl = (args: string[], stdin?: string): Promise<KubectlRun> => runKubectl(backend.kubeconfigPath, home, args, stdin);

/** JSON, not YAML: kubectl reads YAML 1.1, where an unquoted `yes` would be a boolean. */
const manifest = (name: string, spec: unknown): string =>
  JSON.stringify({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'herald-system' }, spec });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-bad-pools-home-'));
  backend = await startApiBackend();
  const install = await kubectl(['apply', '-k', 'config/default']);
  if (install.code !== 0) throw new Error(`kubectl apply -k config/default failed on the ${backend.name} backend:\n${install.stderr}`);
  const established = await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/ipaddresspools.herald.dev']);
  if (established.code !== 0) throw new Error(`the IPAddressPool CRD did not become Established:\n${established.stderr}`);
}, 90_000);

afterAll(async () => {
  await backend?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

test('every error the docs quote has a bad pool here', () => {
  const documented = documentedErrors();
  expect(documented.length).toBeGreaterThan(5);
  expect(BAD_POOLS.flatMap((p) => p.says)).toEqual(expect.arrayContaining(documented));
});

test.each(BAD_POOLS.map((p) => [p.name, p] as const))('bad pool %s is refused with the documented error', async (name, pool) => {
  const run = await kubectl(['apply', '-f', '-'], manifest(name, pool.spec));
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^The IPAddressPool "${name}" is invalid: `));
  // One error prints on the first line; several print one per line, each after "* ".
  const errors = lines.length === 1 ? [lines[0]?.replace(/^The IPAddressPool "[^"]+" is invalid: /, '')] : lines.slice(1).map((l) => l.replace(/^\* /, ''));
  expect(errors).toEqual(pool.says);
});

test.each(Object.entries(GOOD_POOLS))('good pool %s is accepted', async (name, addresses) => {
  const run = await kubectl(['apply', '-f', '-'], manifest(name, { addresses }));
  expect(run).toEqual({ code: 0, stdout: `ipaddresspool.herald.dev/${name} created\n`, stderr: '' });
});
