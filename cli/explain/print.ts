// The explanation as text a person reads top to bottom: the VIP, who answers for it, kube-proxy's chains on that
// node, the endpoints; and where the path stops, in words that say what to look at next.
import type { ChainJump, NodeChains, PolicyChain, ProxyEndpoint } from './kube-proxy-rules.js';
import type { BgpAnswer, Explanation, LayerTwoAnswer, PortPath, ServiceStop, VipPath } from './path.js';

const INDENT = '   ';

function serviceStopText(service: string, stop: ServiceStop): string {
  switch (stop.reason) {
    case 'notLoadBalancer':
      return `${service} is of type ${stop.type}, not LoadBalancer: it has no external IP for Herald to announce; the path does not start.`;
    case 'noIngressIP':
      return `${service} has no IP in status.loadBalancer.ingress yet (EXTERNAL-IP <pending>): the path stops before step 1. ` +
        '`kubectl describe service` shows the controller\'s condition and events saying why.';
    case 'otherProxy':
      return `${service} is labelled service.kubernetes.io/service-proxy-name=${stop.proxyName}: kube-proxy writes no rules for it ` +
        `(the proxy "${stop.proxyName}" does), so there are no KUBE-… chains to show.`;
    case 'noProxiedPort':
      return `${service} has no TCP, UDP or SCTP port (it has ${stop.protocols.join(', ') || 'none'}): kube-proxy writes no rules for it.`;
  }
}

function layerTwoLine(vip: string, family: number, a: LayerTwoAnswer): string {
  const how = family === 4 ? 'ARP requests' : 'Neighbor Solicitations';
  const where = a.interfaces.length > 0 ? ` on ${a.interfaces.join(', ')}` : '';
  return `layer 2: ${a.node} answers ${how} for ${vip}${where} with that interface's MAC ` +
    `(the status carries no MAC: \`ip neigh show ${vip}\` on a client in the same subnet shows it)`;
}

function bgpLines(vip: string, family: number, a: BgpAnswer): string[] {
  const prefix = `${vip}/${family === 4 ? 32 : 128}`;
  if (a.hops.length === 0) return [`BGP: ${a.node} advertises ${prefix} to no peer (its ServiceBGPStatus lists none)`];
  return a.hops.map((h) => `BGP: ${a.node} advertises ${prefix} to peer ${h.peer}${h.peerAddress ? ` (${h.peerAddress})` : ''}, ` +
    `next hop ${h.nextHop}${h.session ? `, session ${h.session}` : ''}`);
}

function endpointText(e: ProxyEndpoint): string {
  const state = e.ready ? 'ready' : [e.serving ? 'serving' : 'not serving', e.terminating ? 'terminating' : 'not ready'].join(', ');
  return `${e.endpoint}${e.pod ? ` pod ${e.pod}` : ''}${e.node ? ` on ${e.node}` : ''} (${state})`;
}

function jumpLines(jumps: readonly ChainJump[]): string[] {
  return jumps.map((j) => `${INDENT}${j.probability ? `probability ${j.probability}` : 'otherwise'.padEnd(24)} → ${j.chain} → DNAT to ${endpointText(j.endpoint)}`);
}

/** The traffic policies, which say what each policy chain serves, and the client affinity, which comes first. */
type Policies = Pick<Explanation, 'externalTrafficPolicy' | 'internalTrafficPolicy' | 'clientAffinitySeconds'>;

function policyLines(label: string, chain: PolicyChain, p: Policies): string[] {
  const affinity = p.clientAffinitySeconds === undefined ? []
    : [`${INDENT}first, a client seen in the last ${p.clientAffinitySeconds} s goes back to its endpoint's KUBE-SEP- (sessionAffinity ClientIP); else:`];
  return [`${chain.chain}  ${label}, one of ${chain.jumps.length} endpoint${chain.jumps.length === 1 ? '' : 's'} at random:`, ...affinity, ...jumpLines(chain.jumps)];
}

/** KUBE-SVC-… and KUBE-SVL-…, the one outside traffic takes first, each with what it serves. */
function policyChainLines(n: NodeChains, p: Policies): string[] {
  const clusterIP = (policy: 'Cluster' | 'Local'): string => (p.internalTrafficPolicy === policy ? ' and the cluster IP' : '');
  const cluster = n.cluster && policyLines(p.externalTrafficPolicy === 'Cluster'
    ? `outside traffic${clusterIP('Cluster')}: any node's endpoints` : `traffic from the node itself${clusterIP('Cluster')}: any node's endpoints`, n.cluster, p);
  const local = n.local && policyLines(p.externalTrafficPolicy === 'Local'
    ? `outside traffic${clusterIP('Local')}: this node's own endpoints` : `the cluster IP (internalTrafficPolicy Local): this node's own endpoints`, n.local, p);
  const ordered = p.externalTrafficPolicy === 'Local' ? [local, cluster] : [cluster, local];
  return ordered.flatMap((lines) => lines ?? []);
}

/** One node's chains for one port, without the node's name (nodes with the same chains share one block). */
function chainLines(vip: string, port: PortPath, n: NodeChains, p: Policies): string[] {
  const entry = `KUBE-SERVICES  -d ${vip} -p ${port.protocol.toLowerCase()} --dport ${port.port}`;
  if (n.stop === 'noEndpoints') {
    return [`${entry}: no rule in nat: ${port.portName} has no usable endpoint, so kube-proxy makes no chain for it`,
      `and KUBE-EXTERNAL-SERVICES (table filter) REJECTs the packet. The path stops here.`];
  }
  const lines = [`${entry} → ${n.loadBalancerJump ?? ''}`];
  if (n.firewall) lines.push(`${n.firewall.chain}  loadBalancerSourceRanges: from ${n.firewall.sourceRanges.join(', ')} → ${n.external?.chain ?? ''}; anything else is dropped (KUBE-PROXY-FIREWALL)`);
  lines.push(...externalLines(n), ...policyChainLines(n, p));
  const shown = new Set([...(n.cluster?.jumps ?? []), ...(n.local?.jumps ?? [])].map((j) => j.chain));
  for (const e of n.endpointChains.filter((c) => !shown.has(c.chain))) lines.push(`${e.chain}  DNAT to ${endpointText(e.endpoint)} (no policy chain jumps here on this node)`);
  return lines;
}

function externalLines(n: NodeChains): string[] {
  const ext = n.external;
  if (!ext) return [];
  if (ext.fromNode === undefined) return [`${ext.chain}  marks the packet for masquerade (the pod sees the node's address) → ${ext.outside ?? ''}`];
  const outside = ext.outside !== undefined
    ? `from outside → ${ext.outside} (the client's address is kept)`
    : `from outside: nowhere — ${n.node} has no ready endpoint of its own (externalTrafficPolicy Local), so KUBE-EXTERNAL-SERVICES (table filter) DROPs it. The path stops here for outside clients.`;
  return [`${ext.chain}  ${outside}`, `${' '.repeat(ext.chain.length)}  from the node itself → ${ext.fromNode} (masqueraded)`];
}

function portLines(vip: VipPath, port: PortPath, p: Policies): string[] {
  const lines = [`port ${port.port}/${port.protocol} (${port.portName})`];
  const blocks = new Map<string, string[]>();
  for (const n of port.onNodes) {
    const text = chainLines(vip.ip, port, n, p).join('\n');
    blocks.set(text, [...(blocks.get(text) ?? []), n.node]);
  }
  for (const [text, nodes] of blocks) {
    lines.push(`${INDENT}kube-proxy on ${nodes.join(', ')} (iptables mode, table nat):`);
    lines.push(...text.split('\n').map((l) => `${INDENT}${INDENT}${l}`));
  }
  lines.push(`${INDENT}endpoints (EndpointSlices, IPv${vip.family}):`);
  lines.push(...(port.endpoints.length > 0 ? port.endpoints.map((e) => `${INDENT}${INDENT}${endpointText(e)}`) : [`${INDENT}${INDENT}none`]));
  return lines;
}

function vipStopText(vip: VipPath): string | undefined {
  switch (vip.stop) {
    case 'ipModeProxy':
      return 'its ingress has ipMode Proxy: kube-proxy writes no rule for it (a proxying load balancer is expected to forward to the nodes).';
    case 'noClusterIPOfFamily':
      return `the Service has no IPv${vip.family} cluster IP, and kube-proxy writes no IPv${vip.family} rules for such a Service: packets reach a node and find no rule.`;
    case 'nobodyAnswers':
      return 'no node answers for it: no ServiceL2Status or ServiceBGPStatus names this Service, so no node answers ARP/NDP or advertises a route. ' +
        'The path stops at step 1. Herald announces only while the Service has a serving endpoint (with externalTrafficPolicy Local, on the announcing node).';
    case undefined:
      return undefined;
  }
}

function vipLines(vip: VipPath, p: Policies): string[] {
  const lines = [`VIP ${vip.ip} (IPv${vip.family})`, '1. who answers for it'];
  lines.push(...vip.layer2.map((a) => `${INDENT}${layerTwoLine(vip.ip, vip.family, a)}`));
  lines.push(...vip.bgp.flatMap((a) => bgpLines(vip.ip, vip.family, a)).map((l) => `${INDENT}${l}`));
  const stop = vipStopText(vip);
  if (stop) lines.push(`${INDENT}${stop}`);
  if (vip.ports.length > 0) lines.push('2. kube-proxy\'s chains on that node → 3. the endpoints');
  for (const port of vip.ports) lines.push(...portLines(vip, port, p).map((l) => `${INDENT}${l}`));
  return lines;
}

export function printExplanation(e: Explanation): string {
  const head = `Service ${e.service} (LoadBalancer, externalTrafficPolicy ${e.externalTrafficPolicy}, internalTrafficPolicy ${e.internalTrafficPolicy})`;
  if (e.stop) return `${serviceStopText(e.service, e.stop)}\n`;
  return `${[head, ...e.vips.flatMap((v) => ['', ...vipLines(v, e)])].join('\n')}\n`;
}
