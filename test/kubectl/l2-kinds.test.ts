// L2Advertisement and ServiceL2Status through the real kubectl: the CRDs config/default installs are accepted (on a
// real kube-apiserver with HERALD_API_BACKEND=real, which also checks the CEL rules' cost), the short names and
// columns work, bad advertisements are refused with an error naming the value, and a ServiceL2Status is created
// with its status in one request (it has no status subresource).
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


const advertisement = (name: string, spec?: unknown): string => JSON.stringify({
  apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: 'herald-system' }, ...(spec === undefined ? {} : { spec }),
});

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-l2-kinds-home-'));
  backend = await startApiBackend();
  await ok(['apply', '-k', 'config/default']);
  await ok(['wait', '--for=condition=Established', '--timeout=30s', 'crd/l2advertisements.herald.dev', 'crd/servicel2statuses.herald.dev']);
}, 90_000);

afterAll(async () => {
  await backend?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

test('an advertisement without a spec and one with every field are accepted, and l2adv lists them with their columns', async () => {
  expect(await ok(['apply', '-f', '-'], advertisement('everything'))).toBe('l2advertisement.herald.dev/everything created\n');
  await ok(['apply', '-f', '-'], advertisement('lan', {
    ipAddressPools: ['lan'], interfaces: ['eth0', 'a23456789012345'], nodeSelectors: [{ matchLabels: { 'herald.dev/l2': 'yes' } }],
    serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }],
    preferredNodeSelectors: [{ weight: 100, preference: { matchLabels: { zone: 'a' } } }],
  }));
  const rows = kubectlTable(await ok(['get', 'l2adv', '-n', 'herald-system']));
  expect(Object.keys(rows[0] ?? {})).toEqual(['NAME', 'READY', 'REASON', 'IPADDRESSPOOLS', 'INTERFACES', 'AGE']);
  expect(rows.map((r) => [r.NAME, r.IPADDRESSPOOLS, r.INTERFACES])).toEqual([
    ['everything', '', ''], ['lan', '["lan"]', '["eth0","a23456789012345"]'],
  ]);
  const wide = kubectlTable(await ok(['get', 'l2advertisements', '-n', 'herald-system', '-o', 'wide']));
  expect(wide.find((r) => r.NAME === 'lan')?.['NODE SELECTORS']).toBe('[{"matchLabels":{"herald.dev/l2":"yes"}}]');
  // The emulator does not publish CRD schemas in its OpenAPI documents, which kubectl explain reads.
  if (backend.name === 'real') {
    expect(await ok(['explain', 'l2advertisement.spec.interfaces'])).toMatch(/Network interfaces to announce on, by Linux name/);
  }
}, 60_000);

test.each([
  ['long-name', { interfaces: ['a234567890123456'] },
    'spec.interfaces[0]: Invalid value: "a234567890123456": interface name "a234567890123456" is longer than 15 characters, the most Linux allows (IFNAMSIZ)'],
  ['alias', { interfaces: ['eth0:1'] },
    'spec.interfaces[0]: Invalid value: "eth0:1": interface name "eth0:1" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."'],
  ['dot-dot', { interfaces: ['..'] },
    'spec.interfaces[0]: Invalid value: "..": interface name ".." is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."'],
  ['duplicate-interface', { interfaces: ['eth0', 'eth0'] }, 'spec.interfaces[1]: Duplicate value: "eth0"'],
  ['weight-zero', { preferredNodeSelectors: [{ weight: 0, preference: {} }] },
    'spec.preferredNodeSelectors[0].weight: Invalid value: 0: spec.preferredNodeSelectors[0].weight in body should be greater than or equal to 1'],
])('advertisement %s is refused, the error naming the value', async (name, spec, says) => {
  const run = await kubectl(['apply', '-f', '-'], advertisement(name, spec));
  expect(run.code).not.toBe(0);
  expect(run.stderr.trim()).toBe(`The L2Advertisement "${name}" is invalid: ${says}`);
});

test('a ServiceL2Status keeps the status it was created with; l2status shows MetalLB\'s columns', async () => {
  const status = { node: 'node-a', serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }] };
  await ok(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'herald.dev/v1beta1', kind: 'ServiceL2Status', metadata: { name: 'l2-web', namespace: 'default' }, status,
  }));
  const rows = kubectlTable(await ok(['get', 'l2status', '-n', 'default']));
  expect(rows.map((r) => [r.NAME, r.NODE, r['SERVICE NAME'], r['SERVICE NAMESPACE']])).toEqual([['l2-web', 'node-a', 'web', 'default']]);
  expect(JSON.parse(await ok(['get', 'servicel2status', 'l2-web', '-n', 'default', '-o', 'json'])).status).toEqual(status);
}, 60_000);
