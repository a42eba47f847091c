// The whole product on the lab, through the API: an API server, the controller and three speakers started as the
// manifests start them (cluster.ts), the user's objects applied with the real kubectl from the client's namespace.
// Judged from the client: curl, arping and the kernel's neighbour table, plus what `kubectl get` shows.
import { arpingMacs, curlVip, waitFor } from './judges.js';
import { kubectl, upCluster } from './cluster.js';
import { down, findProc, killProc, sleep } from './lab.js';
import { startClusterSpeaker, speakerRole } from './speakers.js';
import { CLUSTER_KUBECONFIG } from './cluster.js';
import { NODES, hostByName, macOf, vip4 } from './topology.js';

const NS = 'shop';

const objects = [
  { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab', namespace: 'herald-system' },
    // The addresses every lab node accepts on lo (lab.ts), so whichever node answers serves the request.
    spec: { addresses: [`${vip4(0)}-${vip4(9)}`] } },
  { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lab', namespace: 'herald-system' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
  // No kubelet runs pods here: the endpoints a cluster's EndpointSlice controller would write, one per node.
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-lab', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ports: [{ port: 80, protocol: 'TCP' }],
    endpoints: NODES.map((node) => ({ addresses: [`198.51.100.${hostByName(node).octet}`], nodeName: node, conditions: { ready: true, serving: true } })) },
];

async function serviceIp(): Promise<string> {
  let ip = '';
  await waitFor('the Service\'s external IP', async () => {
    ip = (await kubectl(['get', 'service', 'web', '-n', NS, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim();
    return ip !== '';
  }, true, 30_000);
  return ip;
}

async function statusNodes(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'servicel2statuses', '-n', NS, '-o', 'json'])) as { items: { status?: { node?: string } }[] };
  return list.items.map((i) => i.status?.node ?? '').sort();
}

async function nodeAssignedMessages(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=nodeAssigned', '-o', 'json'])) as { items: { message?: string }[] };
  return list.items.map((e) => e.message ?? '');
}

describe('the full stack on the lab, through the API', () => {
  let ip: string;
  let owner: string;

  beforeAll(async () => {
    await down();
    await upCluster();
    await kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    ip = await serviceIp();
  }, 120_000);

  afterAll(async () => {
    await down();
  });

  it('the Service gets its IP and the client reaches it', async () => {
    await waitFor(`an answer from ${ip}`, async () => NODES.includes((await curlVip(ip)) as never), true, 60_000);
    owner = (await curlVip(ip)) ?? '';
    expect(NODES).toContain(owner);
  });

  it('only the owner answers ARP', async () => {
    expect(await arpingMacs(ip)).toEqual([macOf(hostByName(owner))]);
  });

  it('kubectl get servicel2statuses names the owner', async () => {
    await waitFor('the ServiceL2Status', async () => JSON.stringify(await statusNodes()), JSON.stringify([owner]), 10_000);
    await waitFor('the nodeAssigned event', async () => (await nodeAssignedMessages()).some((m) => m.includes(`"${owner}"`)), true, 10_000);
  });

  it('killing the owner\'s speaker moves the IP, the ServiceL2Status and emits nodeAssigned for the new node', async () => {
    const record = findProc(speakerRole(owner));
    if (!record) throw new Error(`no speaker on ${owner}`);
    await killProc(record, 'SIGKILL');
    let next = '';
    await waitFor('another node answering', async () => {
      next = (await curlVip(ip, 0.3)) ?? '';
      return next !== '' && next !== owner;
    }, true, 10_000);
    await waitFor('the ServiceL2Status naming the new owner', async () => JSON.stringify(await statusNodes()), JSON.stringify([next]), 10_000);
    await waitFor('the nodeAssigned event for the new owner', async () => (await nodeAssignedMessages()).some((m) => m.includes(`"${next}"`)), true, 10_000);
    expect(await arpingMacs(ip)).toEqual([macOf(hostByName(next))]);
    startClusterSpeaker(owner, CLUSTER_KUBECONFIG);
    owner = next;
  });

  it('deleting the pool\'s last L2Advertisement withdraws the IP: nobody answers ARP for it', async () => {
    await sleep(1000);
    await kubectl(['delete', 'l2advertisement', 'lab', '-n', 'herald-system']);
    await waitFor('no ARP answer', async () => (await arpingMacs(ip)).length, 0, 5_000);
    expect(await statusNodes()).toEqual([]);
  });
});
