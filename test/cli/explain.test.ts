// `kubectl herald explain` through kubectl's real plugin mechanism, against the emulator and (HERALD_API_BACKEND=real)
// kube-apiserver: the Services, EndpointSlices and Nodes as the cluster writes them, the ServiceL2Status and
// ServiceBGPStatus objects written by the speakers' own status writers. The chain names themselves are judged by
// the real kube-proxy in explain-kube-proxy.test.ts; here the plugin must find and read the right objects and say
// where each path goes or stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod } from '@kubernetes/client-node';
import { endpointChain, servicePortChain } from '../../cli/explain/chain-names.js';
import type { Explanation } from '../../cli/explain/path.js';
import { GROUP, HERALD_NAMESPACE, VERSION } from '../../crds/v1beta1/index.js';
import { apiJson } from '../../lib/kube/request.js';
import type { BgpPeerSpec } from '../../speaker/source/types.js';
import { startEnv, type Env } from '../integration/harness.js';
import { runKubectlPlugin } from '../support/kubectl.js';
import { announceByBgp, announceByLayerTwo, createLoadBalancer, createNodes, type ServiceFixture } from './explain-fixtures.js';

const web: ServiceFixture = {
  namespace: 'shop', name: 'web', policy: 'Cluster', vips: ['203.0.113.10', '2001:db8:ffff::10'],
  endpoints: [{ ip: '198.51.100.5', node: 'node-a' }, { ip: '198.51.100.7', node: 'node-b' }, { ip: '198.51.100.9', node: 'node-b', ready: false, serving: false }],
};
const api: ServiceFixture = {
  namespace: 'shop', name: 'api', policy: 'Local', vips: ['203.0.113.20', '2001:db8:ffff::20'],
  endpoints: [{ ip: '198.51.100.21', node: 'node-a' }, { ip: '198.51.100.22', node: 'node-b' }, { ip: '198.51.100.23', node: 'node-b' }],
};
const lonely: ServiceFixture = { namespace: 'shop', name: 'lonely', policy: 'Cluster', vips: ['203.0.113.30', '2001:db8:ffff::30'], endpoints: [] };
const ROUTER = { name: 'router', peerAddress: '192.0.2.1' };

let env: Env;
let home: string;
const explain = (...args: string[]) => runKubectlPlugin(env.backend.kubeconfigPath, home, ['explain', ...args]);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-explain-home-'));
  env = await startEnv();
  await createNodes(env.kc);
  await apiJson(env.kc, {
    method: HttpMethod.POST, path: `/apis/${GROUP}/${VERSION}/namespaces/${HERALD_NAMESPACE}/bgppeers`,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'BGPPeer', metadata: { name: ROUTER.name, namespace: HERALD_NAMESPACE }, spec: { myASN: 64512, peerASN: 64513, peerAddress: ROUTER.peerAddress } },
  });
  for (const f of [web, api, lonely]) await createLoadBalancer(env.kc, f);
  await announceByLayerTwo(env.kc, web, 'node-a', ['eth0']);
  const peer: BgpPeerSpec = {
    name: ROUTER.name, myAsn: 64512, peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: ROUTER.peerAddress, peerPort: 179, holdTimeSeconds: 90,
    keepaliveTimeSeconds: 30, connectTimeSeconds: 2, nodes: ['node-a', 'node-b'], passive: false,
  };
  for (const node of ['node-a', 'node-b']) await announceByBgp(env.kc, api, node, peer);
  await apiJson(env.kc, { method: HttpMethod.POST, path: '/api/v1/namespaces/shop/services', body: { metadata: { name: 'pending' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
}, 180_000);

afterAll(async () => {
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('layer 2, Cluster: the announcing node and its interface, KUBE-EXT → KUBE-SVC → one KUBE-SEP per ready endpoint, per family', async () => {
  const run = await explain('web', '-n', 'shop');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toContain('layer 2: node-a answers ARP requests for 203.0.113.10 on eth0');
  expect(run.stdout).toContain('layer 2: node-a answers Neighbor Solicitations for 2001:db8:ffff::10 on eth0');
  const ext = servicePortChain('KUBE-EXT-', 'shop/web:http', 'TCP');
  const svc = servicePortChain('KUBE-SVC-', 'shop/web:http', 'TCP');
  expect(run.stdout).toContain(`KUBE-SERVICES  -d 203.0.113.10 -p tcp --dport 80 → ${ext}`);
  expect(run.stdout).toContain(`${ext}  marks the packet for masquerade (the pod sees the node's address) → ${svc}`);
  expect(run.stdout).toContain(`probability 0.5000000000 → ${endpointChain('shop/web:http', 'TCP', '198.51.100.5:8080')} → DNAT to 198.51.100.5:8080 pod web-0 on node-a (ready)`);
  expect(run.stdout).toContain(`→ ${endpointChain('shop/web:http', 'TCP', '[2001:db8:100::7]:8080')} → DNAT to [2001:db8:100::7]:8080`);
  // The endpoint that is neither ready nor serving gets no chain, but is listed among the endpoints.
  expect(run.stdout).not.toContain(endpointChain('shop/web:http', 'TCP', '198.51.100.9:8080'));
  expect(run.stdout).toContain('198.51.100.9:8080 pod web-2 on node-b (not serving, not ready)');
  expect(run.stdout).toContain(`port 53/UDP (shop/web:dns)`);
  expect(run.stdout).toContain(servicePortChain('KUBE-SVC-', 'shop/web:dns', 'UDP'));
});

test('BGP, Local: both nodes and the peer with its address; each node its own KUBE-SVL with only its endpoints', async () => {
  const run = await explain('api', '--namespace', 'shop', '-o', 'json');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  const explanation = JSON.parse(run.stdout) as Explanation;
  const [v4] = explanation.vips;
  expect(v4?.bgp.map((b) => [b.node, b.hops.map((h) => [h.peer, h.peerAddress])])).toEqual([
    ['node-a', [['router', '192.0.2.1']]], ['node-b', [['router', '192.0.2.1']]]]);
  const http = v4?.ports.find((p) => p.portName === 'shop/api:http');
  const svl = servicePortChain('KUBE-SVL-', 'shop/api:http', 'TCP');
  expect(http?.onNodes.map((n) => [n.node, n.external?.outside, n.local?.jumps.map((j) => j.endpoint.endpoint)])).toEqual([
    ['node-a', svl, ['198.51.100.21:8080']],
    ['node-b', svl, ['198.51.100.22:8080', '198.51.100.23:8080']],
  ]);
  const text = await explain('api', '-n', 'shop');
  expect(text.stdout).toContain('BGP: node-a advertises 203.0.113.20/32 to peer router (192.0.2.1), next hop node-a\'s IPv4 address on the link facing 192.0.2.1 (else 192.0.2.11)');
  expect(text.stdout).toContain('kube-proxy on node-a (iptables mode, table nat):');
  expect(text.stdout).toContain('kube-proxy on node-b (iptables mode, table nat):');
});

test('where the path stops: no IP yet, and an IP nobody answers for with no endpoints', async () => {
  const pending = await explain('pending', '-n', 'shop');
  expect(pending).toMatchObject({ code: 0, stderr: '' });
  expect(pending.stdout).toContain('shop/pending has no IP in status.loadBalancer.ingress yet (EXTERNAL-IP <pending>): the path stops before step 1.');
  const alone = await explain('lonely', '-n', 'shop');
  expect(alone.stdout).toContain('no node answers for it: no ServiceL2Status or ServiceBGPStatus names this Service');
  expect(alone.stdout).not.toMatch(/KUBE-(SVC|EXT|SEP)-/);
  expect(alone.stdout).toContain('endpoints (EndpointSlices, IPv4):\n         none');
});

test('a Service that does not exist is named in the error, with kubectl\'s exit code 1', async () => {
  const run = await explain('nope', '-n', 'shop');
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('service "nope" not found in namespace "shop"');
  const missingArgument = await explain();
  expect(missingArgument.code).not.toBe(0);
  expect(missingArgument.stderr).toContain("missing required argument 'service'");
});
