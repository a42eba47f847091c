// The whole product on the lab, through the API: an API server, the controller and three speakers started as the
// manifests start them (cluster.ts), the user's objects applied with the real kubectl from the client's namespace.
// Judged from the client: curl, arping and the kernel's neighbour table, plus what `kubectl get` shows.
import { arpingMacs, curlVip, lastArpAnswerMs, waitFor } from './judges.js';
import { execIn } from './exec.js';
import { apiServerPid, applyObjects, endpointSlice, externalIp, kubectl, upCluster, userObjects } from './cluster.js';
import { down, findProc, killProc, linkDown, linkUp, sleep } from './lab.js';
import { startClusterSpeaker, speakerRole, waitForSpeakerQuorum } from './speakers.js';
import { CLUSTER_KUBECONFIG } from './cluster.js';
import { askArpAllAlong, rollSpeakers } from './rolling.js';
import { HttpProber, monotonicMs } from './probe.js';
import { PRESENCE_DURATION_S, PRESENCE_RENEW_MS } from '../../speaker/source/kubernetes/presence-lease.js';
import { HOST_IF, NODES, hostByName, macOf, nsOf, vip4, vip6 } from './topology.js';

const NS = 'shop';
/** The API outage: 30 s of an API server that accepts connections and answers nothing. */
const OUTAGE_MS = 30_000;

/** Marks the client's entry for `vip` stale with a 1 s probe delay and sends a request: the kernel re-probes unicast. */
async function reprobe(vip: string): Promise<void> {
  const family = vip.includes(':') ? 'ipv6' : 'ipv4';
  await execIn(nsOf('client'), ['sysctl', '-qw', `net.${family}.neigh.${HOST_IF}.delay_first_probe_time=1`]);
  const { stdout } = await execIn(nsOf('client'), ['ip', '-j', 'neigh', 'show', vip, 'dev', HOST_IF]);
  const [entry] = JSON.parse(stdout) as { lladdr?: string }[];
  if (!entry?.lladdr) throw new Error(`the client has no neighbour entry for ${vip}`);
  await execIn(nsOf('client'), ['ip', 'neigh', 'change', vip, 'lladdr', entry.lladdr, 'dev', HOST_IF, 'nud', 'stale']);
  await curlVip(vip);
  await sleep(2_500); // the delay, then a unicast probe and its answer
}

/**
 * Starts `node`'s speaker again and waits until it holds quorum: a fault injected before that would leave too few
 * members for the split-brain rule (one of three), and nobody would take over.
 */
async function restart(node: string): Promise<void> {
  startClusterSpeaker(node, CLUSTER_KUBECONFIG);
  await waitForSpeakerQuorum(node);
}


/** Signals `node`'s speaker and waits until the process is gone. */
async function signalSpeaker(node: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const record = findProc(speakerRole(node));
  if (!record) throw new Error(`no speaker on ${node}`);
  await killProc(record, signal, 5000);
}

async function neighState(vip: string): Promise<string[]> {
  const { stdout } = await execIn(nsOf('client'), ['ip', '-j', 'neigh', 'show', vip, 'dev', HOST_IF]);
  return (JSON.parse(stdout) as { state?: string[] }[])[0]?.state ?? [];
}

const objects = [
  // The addresses every lab node accepts on lo (lab.ts), so whichever node answers serves the request.
  ...userObjects(NS, [`${vip4(0)}-${vip4(9)}`, `${vip6(0)}-${vip6(9)}`]),
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web6', namespace: NS },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
  endpointSlice(NS, 'web', NODES),
  endpointSlice(NS, 'web6', NODES, 'IPv6'),
];

async function serviceIp(name = 'web'): Promise<string> {
  return externalIp(NS, name);
}

/** The nodes the ServiceL2Status objects of Service `web` name. */
async function statusNodes(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'servicel2statuses', '-n', NS, '-o', 'json'])) as { items: { status?: { node?: string; serviceName?: string } }[] };
  return list.items.filter((i) => i.status?.serviceName === 'web').map((i) => i.status?.node ?? '').sort();
}

async function nodeAssignedMessages(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=nodeAssigned', '-o', 'json'])) as { items: { message?: string }[] };
  return list.items.map((e) => e.message ?? '');
}

/**
 * Waits until the node the client reaches is the one, and the only one, the ServiceL2Status objects name (the
 * cluster agrees on one owner), and returns it.
 */
async function settledOwner(timeoutMs: number): Promise<string> {
  let owner = '';
  await waitFor(`a settled owner of Service ${NS}/web`, async () => {
    const answer = await curlVip(await serviceIp());
    const named = await statusNodes();
    owner = answer ?? '';
    return answer !== undefined && named.length === 1 && named[0] === answer;
  }, true, timeoutMs);
  return owner;
}

describe('the full stack on the lab, through the API', () => {
  let ip: string;
  let owner: string;

  beforeAll(async () => {
    await down();
    await upCluster();
    await applyObjects(objects);
    ip = await serviceIp();
  }, 120_000);

  afterAll(async () => {
    await down();
  });

  it('the Service gets its IP and the client reaches it', async () => {
    // Speakers come up one by one (the first to hold quorum may announce until the elected one joins): once all
    // three hold quorum, wait until the node that answers is the one the cluster names.
    for (const node of NODES) await waitForSpeakerQuorum(node);
    owner = await settledOwner(60_000);
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
    const { before, next } = await failOver('SIGKILL', (node) => signalSpeaker(node, 'SIGKILL'));
    expect(before).toBe(owner);
    await waitFor('the nodeAssigned event for the new owner', async () => (await nodeAssignedMessages()).some((m) => m.includes(`"${next}"`)), true, 10_000);
    expect(await arpingMacs(ip)).toEqual([macOf(hostByName(next))]);
    await restart(owner);
    owner = next;
  });

  /**
   * Applies `fault` to the node answering now, waits for another node to answer and, unless the API is down
   * (`statusNamed: false`), for the ServiceL2Status to name it. Returns both nodes.
   */
  async function failOver(what: string, fault: (node: string) => Promise<void>, o: { timeoutMs?: number; statusNamed?: boolean } = {}):
    Promise<{ before: string; next: string }> {
    // The fault goes to the node the cluster settled on (the client's answer and the only ServiceL2Status agree),
    // not to whichever node a client's neighbour entry points at a moment after the last change.
    const before = o.statusNamed === false ? (await curlVip(ip)) ?? '' : await settledOwner(15_000);
    expect(NODES).toContain(before);
    await fault(before);
    let next = '';
    await waitFor(`another node answering after ${what} on ${before}`, async () => {
      next = (await curlVip(ip, 0.3)) ?? '';
      return next !== '' && next !== before;
    }, true, o.timeoutMs ?? 10_000);
    if (o.statusNamed !== false) {
      await waitFor('the ServiceL2Status naming the new owner', async () => JSON.stringify(await statusNodes()), JSON.stringify([next]), 10_000);
    }
    return { before, next };
  }

  /** failOver, for the tests that only need the node that failed. */
  async function movesOff(what: string, fault: (node: string) => Promise<void>, timeoutMs?: number): Promise<string> {
    return (await failOver(what, fault, { timeoutMs })).before;
  }

  it('a graceful stop of the owner\'s speaker hands the IP over at once', async () => {
    const old = await movesOff('SIGTERM', (node) => signalSpeaker(node, 'SIGTERM'), 2_000);
    await restart(old);
  });

  it('a rolling restart of every speaker (a DaemonSet update) never leaves the IP unanswered for long, and no request goes unanswered', async () => {
    const prober = await HttpProber.start(ip);
    const arp = askArpAllAlong(ip);
    const start = monotonicMs();
    await rollSpeakers();
    const tally = await arp.stop();
    await prober.stop();
    // Each stop hands over by goodbye and each return takes the IP back; between the old owner letting go and the
    // new one answering there may be a few ms (the bench measures them), never a second request in a row.
    expect(tally.asked).toBeGreaterThan(20);
    expect(tally.longestMiss).toBeLessThanOrEqual(1);
    // A connection open across a handover is reset by the new node, which never saw it (as with any layer 2 move);
    // a request nobody answers (a timeout, no route to the host) is what must never happen.
    const failed = prober.samples.filter((s) => s.sent >= start && !s.ok);
    expect(failed.filter((s) => !/ECONNRESET|socket hang up/.test(s.error ?? ''))).toEqual([]);
    expect(NODES).toContain(await curlVip(ip));
  }, 120_000);

  it('taking the owner\'s link down moves the IP, and once the link is back the cluster agrees again on one owner', async () => {
    const old = await movesOff('link down', (node) => linkDown(node));
    await linkUp(old);
    // The node that was cut off rejoins (its watches restart, its peers hear it again): within a few seconds one
    // node answers and its ServiceL2Status is the only one. The faults after this one start from that state.
    await settledOwner(15_000);
  });

  it('the exclude-from-external-load-balancers label and NetworkUnavailable move the IP off a node', async () => {
    const condition = (status: 'True' | 'False', message: string): string =>
      JSON.stringify({ status: { conditions: [{ type: 'NetworkUnavailable', status, reason: 'Lab', message }] } });
    const marked: { label?: string; unavailable?: string } = {};
    try {
      await movesOff('the exclude label', async (node) => {
        marked.label = node;
        await kubectl(['label', 'node', node, 'node.kubernetes.io/exclude-from-external-load-balancers=']);
      });
      await movesOff('NetworkUnavailable', async (node) => {
        marked.unavailable = node;
        await kubectl(['patch', 'node', node, '--subresource=status', '--type=merge', '-p', condition('True', 'set by the test')]);
      });
    } finally {
      // Cleared even when the test fails, so the tests after it start from three eligible nodes.
      if (marked.label) await kubectl(['label', 'node', marked.label, 'node.kubernetes.io/exclude-from-external-load-balancers-']);
      if (marked.unavailable) await kubectl(['patch', 'node', marked.unavailable, '--subresource=status', '--type=merge', '-p', condition('False', 'cleared by the test')]);
    }
  });

  it('an API outage changes nothing the client sees, and a failover inside it still works', async () => {
    const api = apiServerPid();
    process.kill(api, 'SIGSTOP');
    let old = '';
    try {
      await sleep(OUTAGE_MS / 2);
      expect(NODES).toContain(await curlVip(ip));
      // Nothing can be read from the API now: no ServiceL2Status to wait for.
      old = (await failOver('SIGKILL', (node) => signalSpeaker(node, 'SIGKILL'), { statusNamed: false })).before;
      // It cannot start without the API (it has nothing to announce from): it waits, and joins once the API is back.
      startClusterSpeaker(old, CLUSTER_KUBECONFIG);
      await sleep(OUTAGE_MS / 2);
      expect(await curlVip(ip)).not.toBe(old);
    } finally {
      process.kill(api, 'SIGCONT');
    }
    await waitForSpeakerQuorum(old);
  }, 120_000);

  it('when two of three speakers die, the survivor takes the IP once their presence Leases lapse', async () => {
    const before = await settledOwner(15_000);
    const survivor = NODES.find((n) => n !== before) ?? '';
    const dead = NODES.filter((n) => n !== survivor);
    const killedAt = Date.now();
    for (const node of dead) await signalSpeaker(node, 'SIGKILL');
    // One of three alive is no quorum (the split-brain rule): the survivor withdraws until the dead speakers'
    // Leases, last renewed up to a renewal period ago, run out their duration and the member list shrinks to it.
    await waitFor(`${survivor} answering alone`, async () => curlVip(ip, 0.3), survivor, 70_000);
    const tookMs = Date.now() - killedAt;
    await waitFor('the ServiceL2Status naming the survivor', async () => JSON.stringify(await statusNodes()), JSON.stringify([survivor]), 10_000);
    expect(await arpingMacs(ip)).toEqual([macOf(hostByName(survivor))]);
    // Not before the Leases could have lapsed: the survivor did not take the IP while its peers might be alive.
    expect(tookMs).toBeGreaterThan(PRESENCE_DURATION_S * 1000 - PRESENCE_RENEW_MS);
    for (const node of dead) startClusterSpeaker(node, CLUSTER_KUBECONFIG);
    for (const node of dead) await waitForSpeakerQuorum(node);
  }, 150_000);

  it('a client\'s neighbour entries for an IPv4 and an IPv6 VIP stay usable across NUD re-probes (unicast requests answered)', async () => {
    const ip6 = await serviceIp('web6');
    await waitFor(`an answer from ${ip6}`, async () => NODES.includes((await curlVip(ip6)) as never), true, 30_000);
    for (const vip of [ip, ip6]) {
      // A stale entry probed after a 1 s delay: the kernel's probes then go unicast to the MAC it has.
      await reprobe(vip);
      expect(await curlVip(vip)).toBeDefined();
      expect(await neighState(vip)).toContain('REACHABLE');
    }
  });

  it('externalTrafficPolicy: Local follows the endpoints', async () => {
    const owner = (await curlVip(ip)) ?? '';
    const only = NODES.find((n) => n !== owner) ?? '';
    await kubectl(['patch', 'service', 'web', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { externalTrafficPolicy: 'Local' } })]);
    await kubectl(['patch', 'endpointslice', 'web-lab', '-n', NS, '--type=merge', '-p', JSON.stringify({
      endpoints: [{ addresses: [`198.51.100.${hostByName(only).octet}`], nodeName: only, conditions: { ready: true, serving: true } }],
    })]);
    await waitFor(`${only} (the only node with an endpoint) answering`, async () => curlVip(ip, 0.3), only, 10_000);
    expect(await arpingMacs(ip)).toEqual([macOf(hostByName(only))]);
  });

  it('deleting the pool\'s last L2Advertisement withdraws the IP: no ARP answer for it after a second', async () => {
    await waitFor(`an ARP answer for ${ip}`, async () => (await arpingMacs(ip)).length, 1, 10_000);
    const deletedAt = Date.now();
    await kubectl(['delete', 'l2advertisement', 'lab', '-n', 'herald-system']);
    // Asked again and again for 3 s: the last answer came within the first second, and none after it.
    const lastAnswerMs = await lastArpAnswerMs(ip, deletedAt, 3_000);
    expect(lastAnswerMs).toBeLessThan(1_000);
    await waitFor('no ServiceL2Status', async () => JSON.stringify(await statusNodes()), '[]', 10_000);
  });
});
