// BGP mode through the API, on the lab: the API server, the controller and three speakers started as the manifests
// start them (cluster.ts), BIRD 2 in the router's namespace (bgp-lab.ts), and the user's BGPPeer, BGPAdvertisement,
// pool and Service applied with the real kubectl. Judged by BIRD (its sessions and RIB), the router's kernel (one
// ECMP next hop per announcing node), curl from a client in another subnet behind the router, and what
// `kubectl get servicebgpstatuses` shows.
import { LAB_ASN, birdRoutes, birdSessions, birdc, curlFromFar, kernelNextHops, startBird, upBgpLab } from './bgp-lab.js';
import { applyObjects, endpointSlice, externalIp, kubectl, upCluster } from './cluster.js';
import { waitFor } from './judges.js';
import { down } from './lab.js';
import { NODES, bgpVip4, hostByName, v4Of } from './topology.js';

const NS = 'shop';
const ROUTER = v4Of(hostByName('router'));
const ALL_V4 = NODES.map((n) => v4Of(hostByName(n))).sort();
const herald = (kind: string, name: string, spec: object) => ({ apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: 'herald-system' }, spec });

const objects = [
  // The BGP VIPs: on every node's lo once the BGP lab is up, so whichever node the router picks serves the request.
  herald('IPAddressPool', 'bgp', { addresses: [`${bgpVip4(0)}-${bgpVip4(3)}`] }),
  herald('Community', 'lab', { communities: [{ name: 'lab-tag', value: '64512:100' }] }),
  herald('BGPPeer', 'router', { myASN: LAB_ASN, peerASN: LAB_ASN, peerAddress: ROUTER, holdTime: '3s', keepaliveTime: '1s', connectTime: '1s' }),
  herald('BGPAdvertisement', 'bgp', { ipAddressPools: ['bgp'], localPref: 150, communities: ['lab-tag', `large:${LAB_ASN}:1:2`] }),
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
  endpointSlice(NS, 'web', NODES),
];

/** The nodes the ServiceBGPStatus objects of Service `web` name, with their peers. */
async function bgpStatuses(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'servicebgpstatuses', '-n', NS, '-o', 'json'])) as { items: { status?: { node?: string; serviceName?: string; peers?: string[] } }[] };
  return list.items.filter((i) => i.status?.serviceName === 'web').map((i) => `${i.status?.node ?? ''}:${(i.status?.peers ?? []).join(',')}`).sort();
}

const figures: Record<string, number> = {};

describe('BGP mode through the API, judged by BIRD', () => {
  let ip: string;
  /** When kubectl apply returned: the figures count from it. */
  let appliedAt = 0;

  beforeAll(async () => {
    await down();
    await upCluster();
    await upBgpLab();
    await startBird({ holdTimeSeconds: 3 });
    await applyObjects(objects);
    appliedAt = performance.now();
    ip = await externalIp(NS, 'web');
  }, 180_000);

  afterAll(async () => {
    console.log(`BGP through the API, figures: ${JSON.stringify(figures)}`);
    await down();
  });

  it('every node holds an Established session with BIRD, from the BGPPeer applied with kubectl', async () => {
    const established = async () => {
      const sessions = await birdSessions();
      return NODES.every((n) => sessions[n] === 'Established');
    };
    await waitFor('three Established iBGP sessions', established, true, 60_000);
    figures.applyToEstablishedMs = Math.round(performance.now() - appliedAt);
  });

  it('the router installs one next hop per node for the Service\'s IP (no election: every eligible node announces)', async () => {
    await waitFor(`three next hops for ${ip}`, async () => JSON.stringify(await kernelNextHops(ip)), JSON.stringify(ALL_V4), 20_000);
    figures.applyToEcmpRouteMs = Math.round(performance.now() - appliedAt);
  });

  it('BIRD\'s RIB shows the advertisement\'s LOCAL_PREF, the Community alias resolved and the large community, from every node', async () => {
    const routes = await birdRoutes(`${ip}/32`);
    for (const node of NODES) expect(routes).toContain(`[${node} `);
    expect(routes.match(/BGP\.local_pref: 150/g)).toHaveLength(3);
    expect(routes.match(/BGP\.community: \(64512,100\)/g)).toHaveLength(3);
    expect(routes.match(new RegExp(`BGP\\.large_community: \\(${LAB_ASN}, 1, 2\\)`, 'g'))).toHaveLength(3);
  });

  it('a client in another subnet reaches the IP through the router', async () => {
    for (let i = 0; i < 5; i++) expect(NODES).toContain(await curlFromFar(ip, 2));
  });

  it('kubectl get servicebgpstatuses names every advertising node and its peer', async () => {
    await waitFor('three ServiceBGPStatus objects', async () => JSON.stringify(await bgpStatuses()), JSON.stringify(NODES.map((n) => `${n}:router`)), 10_000);
  });

  it('kubectl get bgppeer shows every node\'s session Established in its status, beside the controller\'s Ready', async () => {
    const sessions = async () => (await kubectl(['get', 'bgppeer', 'router', '-n', 'herald-system', '-o',
      'jsonpath={range .status.nodes[*]}{.node}={.state} {end}'])).trim();
    await waitFor('the BGPPeer\'s status.nodes', sessions, NODES.map((n) => `${n}=Established`).join(' '), 10_000);
    const ready = await kubectl(['get', 'bgppeer', 'router', '-n', 'herald-system', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    expect(ready.trim()).toBe('True');
  });

  it('a session the router shuts down shows in kubectl get bgppeer: not Established, with the router\'s NOTIFICATION and message; Established again once it lets the node back', async () => {
    const entry = async (field: string) => (await kubectl(['get', 'bgppeer', 'router', '-n', 'herald-system', '-o',
      `jsonpath={.status.nodes[?(@.node=="n1")].${field}}`])).trim();
    await birdc(['disable', 'n1', '"lab maintenance"']); // a Cease, administrative shutdown, with its RFC 8203 message
    try {
      await waitFor('n1\'s entry naming the NOTIFICATION', () => entry('lastNotification'), 'received 6/2 cease, administrative shutdown: "lab maintenance"', 10_000);
      expect(await entry('state')).not.toBe('Established');
      expect(await entry('lastError')).not.toBe('');
    } finally {
      await birdc(['enable', 'n1']);
    }
    await waitFor('n1 Established again, in BIRD and in the status', async () => `${(await birdSessions()).n1} ${await entry('state')}`, 'Established Established', 30_000);
  });

  it('the Service\'s herald.dev/Announced condition says it is advertised by BGP, from which nodes', async () => {
    const announced = async () => (await kubectl(['get', 'service', 'web', '-n', NS, '-o', 'jsonpath={.status.conditions[?(@.type=="herald.dev/Announced")].message}'])).trim();
    await waitFor('the Announced condition', announced, `advertised by BGP: ${ip} from ${NODES.map((n) => `"${n}"`).join(', ')}`, 10_000);
  });

  it('externalTrafficPolicy Local: only the node with the endpoint advertises; the others withdraw and drop their status', async () => {
    await applyObjects([endpointSlice(NS, 'web', ['n2'])]);
    const patchedAt = performance.now();
    await kubectl(['patch', 'service', 'web', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { externalTrafficPolicy: 'Local' } })]);
    await waitFor('one next hop, n2', async () => JSON.stringify(await kernelNextHops(ip)), JSON.stringify([v4Of(hostByName('n2'))]), 10_000);
    figures.localPolicyToWithdrawnMs = Math.round(performance.now() - patchedAt);
    await waitFor('one ServiceBGPStatus, n2\'s', async () => JSON.stringify(await bgpStatuses()), JSON.stringify(['n2:router']), 10_000);
    for (let i = 0; i < 5; i++) expect(await curlFromFar(ip, 2)).toBe('n2');
  });

  it('an exclude label on the endpoint\'s node withdraws the IP from the router altogether', async () => {
    await kubectl(['label', 'node', 'n2', 'node.kubernetes.io/exclude-from-external-load-balancers=']);
    await waitFor('no next hop', async () => JSON.stringify(await kernelNextHops(ip)), '[]', 10_000);
    await kubectl(['label', 'node', 'n2', 'node.kubernetes.io/exclude-from-external-load-balancers-']);
    await waitFor('n2 back', async () => JSON.stringify(await kernelNextHops(ip)), JSON.stringify([v4Of(hostByName('n2'))]), 10_000);
  });
});
