// config/: the kustomize base renders offline to exactly the committed install.yaml, with least-privilege
// RBAC and a locked-down controller; the samples are valid, on documentation ranges, and do not overlap.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { parseAddr, parsePrefix, maskPrefix } from '../test/apiserver/schema/cel/netaddr.js';
import { validateCustomResource } from '../test/apiserver/schema/index.js';
import { kubectlCommand } from '../test/cluster/backend.js';
import { DEFAULT_PORT } from '../speaker/membership/index.js';

const here = dirname(fileURLToPath(import.meta.url));
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: unknown };
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null);

const rendered = execFileSync(kubectlCommand(), ['kustomize', join(here, 'default')], { encoding: 'utf8' });
const objects = docs(rendered);
const find = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`install has no ${kind} "${name}"`);
  return found;
};

describe('config/default', () => {
  test('config/install.yaml is `kubectl kustomize config/default` (regenerate it when this fails)', () => {
    expect(readFileSync(join(here, 'install.yaml'), 'utf8')).toBe(rendered);
  });

  test('holds exactly the namespace, CRD, RBAC and controller', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/herald-controller', 'ClusterRoleBinding/herald-controller', 'CustomResourceDefinition/ipaddresspools.herald.dev',
      'Deployment/herald-controller', 'Namespace/herald-system', 'Role/herald-controller', 'RoleBinding/herald-controller',
      'ServiceAccount/herald-controller',
    ]);
    for (const o of objects.filter((x) => ['Deployment', 'Role', 'RoleBinding', 'ServiceAccount'].includes(x.kind))) {
      expect(`${o.kind}: ${o.metadata.namespace}`).toBe(`${o.kind}: herald-system`);
    }
  });

  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const grants = (o: Obj) => (o.rules as Rule[]).flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || 'core'} ${res}: ${[...r.verbs].sort().join(',')}`))).sort();

  test('RBAC lists exactly the verbs the controller uses', () => {
    expect(grants(find('ClusterRole', 'herald-controller'))).toEqual([
      'core events: create,patch',
      'core namespaces: list,watch',
      'core services/status: patch',
      'core services: get,list,watch',
      'herald.dev ipaddresspools: list,watch',
    ]);
    expect(grants(find('Role', 'herald-controller'))).toEqual([
      'coordination.k8s.io leases: create,get,list,update,watch',
      'herald.dev ipaddresspools/status: patch',
      'herald.dev ipaddresspools: list,watch',
    ]);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      expect(find(kind, 'herald-controller').subjects).toEqual([{ kind: 'ServiceAccount', name: 'herald-controller', namespace: 'herald-system' }]);
    }
  });

  test('the controller Deployment is locked down and probed', () => {
    const deployment = find('Deployment', 'herald-controller') as Obj & { spec: { replicas: number; template: { spec: Record<string, unknown> } } };
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec as { serviceAccountName: string; securityContext: unknown; containers: Record<string, unknown>[] };
    expect(pod.serviceAccountName).toBe('herald-controller');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [c] = pod.containers;
    expect(c).toMatchObject({
      image: 'ghcr.io/herald-lb/herald:v0.1.0',
      command: ['node', 'dist/controller/main.js'],
      args: ['--log-level=info'],
      ports: [{ name: 'monitoring', containerPort: 7472, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'monitoring' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'monitoring' } },
      securityContext: {
        runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: { requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } },
    });
    expect(c?.env).toEqual([
      // V8 heap bounds; the controller bench runs its child with the same value (test/bench/controller.bench.ts).
      { name: 'NODE_OPTIONS', value: expect.stringMatching(/--max-old-space-size=\d+/) },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      // The metrics server binds the pod's IP (lib/metrics/server.ts defaultMetricsHost), where the probes connect.
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(c?.args).not.toEqual(expect.arrayContaining([expect.stringMatching(/^--metrics-host/)]));
  });

  test('the namespace admits what the speaker needs (host network, NET_RAW: Pod Security "privileged")', () => {
    expect(find('Namespace', 'herald-system').metadata).toMatchObject({ labels: {
      'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged',
    } });
  });
});

describe('config/samples', () => {
  const sampleDir = join(here, 'samples');
  const samples = readdirSync(sampleDir).sort().flatMap((f) => docs(readFileSync(join(sampleDir, f), 'utf8')));
  const pools = samples.filter((o) => o.kind === 'IPAddressPool') as (Obj & { spec: { addresses: string[] } })[];
  const crd = parse(readFileSync(join(here, '..', 'crds', 'herald.dev_ipaddresspools.yaml'), 'utf8'));
  const schema = crd.spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;

  test('has IPv4, IPv6, dual-stack and serviceAllocation pools in herald-system, all valid', () => {
    expect(pools.map((p) => p.metadata.name).sort()).toEqual(['dual-stack', 'ipv4', 'ipv6', 'team-a']);
    for (const pool of pools) {
      expect(pool.metadata.namespace).toBe('herald-system');
      expect(validateCustomResource(schema, pool).errors).toEqual([]);
    }
  });

  // Inclusive [first, last] of an entry, as numbers, so overlap is a comparison.
  function span(entry: string): [number, bigint, bigint] {
    const toInt = (b: Uint8Array) => b.reduce((acc, x) => acc * 256n + BigInt(x), 0n);
    const prefix = parsePrefix(entry);
    if (prefix) {
      const first = toInt(maskPrefix(prefix).addr.bytes);
      const size = 1n << BigInt(prefix.addr.bytes.length * 8 - prefix.bits);
      return [prefix.addr.family, first, first + size - 1n];
    }
    const [a, b] = entry.split('-').map((s) => parseAddr(s.trim()));
    if (!a || !b) throw new Error(`sample entry "${entry}" is neither CIDR nor range`);
    return [a.family, toInt(a.bytes), toInt(b.bytes)];
  }
  const DOC_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map(span);

  test('use only documentation ranges and do not overlap each other', () => {
    const spans = pools.flatMap((p) => p.spec.addresses.map((a) => ({ pool: p.metadata.name, entry: a, span: span(a) })));
    for (const s of spans) {
      const [fam, lo, hi] = s.span;
      expect(`${s.entry}: ${DOC_RANGES.some(([f, dlo, dhi]) => f === fam && lo >= dlo && hi <= dhi)}`).toBe(`${s.entry}: true`);
    }
    for (const [i, x] of spans.entries()) {
      for (const y of spans.slice(i + 1)) {
        const overlap = x.span[0] === y.span[0] && x.span[1] <= y.span[2] && y.span[1] <= x.span[2];
        expect(`${x.pool} ${x.entry} / ${y.pool} ${y.entry}: ${overlap}`).toBe(`${x.pool} ${x.entry} / ${y.pool} ${y.entry}: false`);
      }
    }
  });

  test('NetworkPolicies: heartbeats (UDP, the speaker\'s port) from the nodes only, metrics from Prometheus only', () => {
    type Rule = { from: Record<string, unknown>[]; ports: { protocol: string; port: number | string }[] };
    type Policy = Obj & { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: Rule[] } };
    const policies = samples.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
    const policy = (name: string) => policies.find((p) => p.metadata.name === name);
    const speaker = policy('herald-speaker');
    expect(speaker?.metadata.namespace).toBe('herald-system');
    expect(speaker?.spec.policyTypes).toEqual(['Ingress']);
    const heartbeats = speaker?.spec.ingress.find((r) => r.ports.some((p) => p.protocol === 'UDP'));
    expect(heartbeats?.ports).toEqual([{ protocol: 'UDP', port: DEFAULT_PORT }]);
    expect(heartbeats?.from.every((f) => Object.keys(f).join() === 'ipBlock')).toBe(true);
    // The controller's policy selects the Deployment's pods, and opens only its metrics port.
    const controller = policy('herald-controller');
    const template = (find('Deployment', 'herald-controller') as Obj & { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template;
    expect(template.metadata.labels).toMatchObject(controller?.spec.podSelector.matchLabels ?? { missing: 'policy' });
    expect(controller?.spec.ingress.flatMap((r) => r.ports)).toEqual([{ protocol: 'TCP', port: 'monitoring' }]);
  });

  test('sample Services: a plain one, one requesting an IP, two sharing one IP', () => {
    const services = samples.filter((o) => o.kind === 'Service');
    const ann = (o: Obj, name: string) => o.metadata.annotations?.[`herald.dev/${name}`];
    expect(services.some((s) => !s.metadata.annotations)).toBe(true);
    expect(services.some((s) => ann(s, 'loadBalancerIPs') && !ann(s, 'allow-shared-ip'))).toBe(true);
    const shared = services.filter((s) => ann(s, 'allow-shared-ip') === 'dns');
    expect(shared).toHaveLength(2);
    expect(new Set(shared.map((s) => ann(s, 'loadBalancerIPs'))).size).toBe(1);
  });
});
