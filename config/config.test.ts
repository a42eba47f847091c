// config/: the kustomize base renders offline to exactly the committed install.yaml, with least-privilege
// RBAC and a locked-down controller; the samples are valid, on documentation ranges, and do not overlap.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import { parseAddr, parsePrefix, maskPrefix } from '../lib/crd-schema/cel/netaddr.js';
import { validateCustomResource } from '../lib/crd-schema/index.js';
import { kubectlCommand } from '../test/cluster/backend.js';
import { speakerNodeEnv, speakerNodeFlags } from '../test/lab/speakers.js';
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

/** The speaker's command documented in the Dockerfile (test/lab/speakers.ts reads it for the lab and the benches). */
function speakerCommand(): { env: { name: string; value: string }[]; flags: string[] } {
  return { env: Object.entries(speakerNodeEnv()).map(([name, value]) => ({ name, value })), flags: speakerNodeFlags() };
}

describe('config/default', () => {
  test('config/install.yaml is `kubectl kustomize config/default` (regenerate it when this fails)', () => {
    expect(readFileSync(join(here, 'install.yaml'), 'utf8')).toBe(rendered);
  });

  test('holds exactly the namespace, the CRDs, the controller and the speakers with their RBAC', () => {
    const crdNames = readdirSync(join(here, '..', 'crds')).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => docs(readFileSync(join(here, '..', 'crds', f), 'utf8'))).filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => `CustomResourceDefinition/${o.metadata.name}`);
    expect(crdNames).toContain('CustomResourceDefinition/ipaddresspools.herald.dev');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/herald-controller', 'ClusterRole/herald-speaker', 'ClusterRoleBinding/herald-controller', 'ClusterRoleBinding/herald-speaker',
      ...crdNames, 'DaemonSet/herald-speaker', 'Deployment/herald-controller', 'Namespace/herald-system',
      'Role/herald-controller', 'Role/herald-speaker', 'RoleBinding/herald-controller', 'RoleBinding/herald-speaker',
      'ServiceAccount/herald-controller', 'ServiceAccount/herald-speaker',
    ].sort());
    for (const o of objects.filter((x) => ['DaemonSet', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount'].includes(x.kind))) {
      expect(`${o.kind}: ${o.metadata.namespace}`).toBe(`${o.kind}: herald-system`);
    }
  });

  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
  /** `group resource: verbs`, with ` [names]` for a rule limited to named objects. */
  const grants = (o: Obj) => (o.rules as Rule[]).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) =>
    `${g || 'core'} ${res}: ${[...r.verbs].sort().join(',')}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`))).sort();

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
      // The heartbeat key Secret: create cannot be limited by name. Every Secret of herald-system is listed and
      // watched for the BGPPeers' passwordSecret check (names, types and key names kept, never a value).
      'core secrets: create',
      'core secrets: list,watch',
      'herald.dev bfdprofiles/status: patch',
      'herald.dev bfdprofiles: list,watch',
      'herald.dev bgpadvertisements/status: patch',
      'herald.dev bgpadvertisements: list,watch',
      'herald.dev bgppeers/status: patch',
      'herald.dev bgppeers: list,watch',
      'herald.dev communities/status: patch',
      'herald.dev communities: list,watch',
      'herald.dev ipaddresspools/status: patch',
      'herald.dev ipaddresspools: list,watch',
      // L2Advertisements' Ready condition.
      'herald.dev l2advertisements/status: patch',
      'herald.dev l2advertisements: list,watch',
    ]);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      expect(find(kind, 'herald-controller').subjects).toEqual([{ kind: 'ServiceAccount', name: 'herald-controller', namespace: 'herald-system' }]);
    }
  });

  test('RBAC grants the speaker exactly what it needs: reads, its status objects, events, its Leases, the Secrets of herald-system', () => {
    expect(grants(find('ClusterRole', 'herald-speaker'))).toEqual([
      'core events: create,patch',
      'core nodes: list,watch',
      'core services/status: patch',
      'core services: get,list,watch',
      'discovery.k8s.io endpointslices: list,watch',
      'herald.dev servicebgpstatuses: create,delete,list,patch',
      'herald.dev servicel2statuses: create,delete,list,patch',
    ]);
    expect(grants(find('Role', 'herald-speaker'))).toEqual([
      'coordination.k8s.io leases: create,delete,list,patch,watch',
      // The heartbeat key and the BGPPeers' passwordSecrets: list and watch, in herald-system only (a Role).
      'core secrets: list,watch',
      'herald.dev bfdprofiles: list,watch',
      'herald.dev bgpadvertisements: list,watch',
      'herald.dev bgppeers/status: patch',
      'herald.dev bgppeers: get,list,watch',
      'herald.dev communities: list,watch',
      'herald.dev ipaddresspools: list,watch',
      'herald.dev l2advertisements: list,watch',
    ]);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const binding = find(kind, 'herald-speaker') as Obj & { roleRef: unknown };
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'herald-speaker', namespace: 'herald-system' }]);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: kind.replace('Binding', ''), name: 'herald-speaker' });
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

  test('the speaker DaemonSet: host network, only NET_RAW, read-only, probed, on every node, node-critical', () => {
    type Template = { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    const ds = find('DaemonSet', 'herald-speaker') as Obj & { spec: { updateStrategy: unknown; selector: unknown; template: Template } };
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    const { metadata, spec: pod } = ds.spec.template;
    expect(ds.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'herald', 'app.kubernetes.io/component': 'speaker' } });
    expect(metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'herald', 'app.kubernetes.io/component': 'speaker' });
    expect(pod).toMatchObject({
      serviceAccountName: 'herald-speaker', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet',
      priorityClassName: 'system-node-critical', securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    });
    expect(pod.tolerations).toEqual(expect.arrayContaining([
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
    ]));
    // Long enough for a goodbye and a few API calls, short enough that a hung stop does not stall a rolling update.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(5);
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(30);
    const containers = pod.containers as Record<string, unknown>[];
    expect(containers).toHaveLength(1);
    const controllerImage = () => ((find('Deployment', 'herald-controller') as Obj & { spec: { template: Template } })
      .spec.template.spec.containers as { image: string }[])[0]?.image;
    const [c] = containers;
    expect(c).toMatchObject({
      image: controllerImage(), // one image, both binaries (Dockerfile)
      // V8's heap flags are on the command line: NODE_OPTIONS refuses --optimize-for-size and --heap-growing-percent.
      command: ['node', ...speakerCommand().flags, 'dist/speaker/speaker.mjs'],
      args: ['--source=kubernetes', '--log-level=info'],
      ports: [{ name: 'monitoring', containerPort: 7472, protocol: 'TCP' }, { name: 'heartbeats', containerPort: DEFAULT_PORT, protocol: 'UDP' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'monitoring' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'monitoring' } },
      resources: { requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } },
    });
    // Exactly these settings: root only for NET_RAW (a non-root uid cannot use an added capability), nothing else added.
    expect(c?.securityContext).toEqual({
      runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_RAW'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect((c?.resources as { limits: Record<string, string> }).limits.cpu).toBeUndefined();
    expect(c?.env).toEqual([
      ...speakerCommand().env,
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
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
