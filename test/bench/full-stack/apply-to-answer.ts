// `kubectl apply` of a Service → the client's first successful HTTP answer from its new IP, each trial against
// the controller's own part: when a `kubectl get --watch` in the client's namespace saw the IP in the Service's
// status. The pool holds one address, so the prober can aim at it before it exists; between trials the Service is
// deleted, nobody answers ARP for the address any more, and the client's neighbour entry is flushed (every lab
// node's kernel serves the address, so an entry left over would answer before anyone announced).
import { createInterface } from 'node:readline';
import { applyObjects, endpointSlice, kubectl, upCluster } from '../../lab/cluster.js';
import { killProc, sleep, spawnIn } from '../../lab/exec.js';
import { arpingRttMs, flushNeigh, lastArpAnswerMs } from '../../lab/judges.js';
import { down } from '../../lab/lab.js';
import { HttpProber, monotonicMs } from '../../lab/probe.js';
import { CLUSTER_KUBECONFIG } from '../../lab/cluster.js';
import { kubectlCommand } from '../../cluster/backend.js';
import { waitForSpeakerQuorum } from '../../lab/speakers.js';
import { NODES, nsOf, vip4 } from '../../lab/topology.js';

const NS = 'apply';
const POOL = 'apply';

export interface ApplyTrial {
  /** apply → the watch saw the IP in the Service's status. */
  allocatedMs: number;
  /** apply → the client's first successful HTTP answer. */
  firstAnswerMs: number;
  /** One ARP request's round trip, right after. */
  arpRttMs: number;
}

/** `kubectl get services --watch` from the client: resolves with the monotonic time of the first line with an IP. */
async function watchForIp(timeoutMs: number): Promise<{ seen: Promise<number>; stop(): Promise<void> }> {
  const argv = [kubectlCommand(), '--kubeconfig', CLUSTER_KUBECONFIG, 'get', 'services', '-n', NS, '--watch', '--no-headers',
    '-o', 'custom-columns=NAME:.metadata.name,IP:.status.loadBalancer.ingress[0].ip'];
  const { record, child } = spawnIn(nsOf('client'), argv, { role: 'service-watch', pipeStdout: true });
  if (!child.stdout) throw new Error('kubectl watch: no stdout pipe');
  const seen = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no IP in the watch within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (/\d+\.\d+\.\d+\.\d+/.test(line)) {
        clearTimeout(timer);
        resolve(monotonicMs());
      }
    });
  });
  await sleep(1500); // kubectl starts, lists (nothing) and opens its watch
  return { seen, stop: () => killProc(record, 'SIGTERM', 5000) };
}

function serviceObjects(): object[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS, annotations: { 'herald.dev/address-pool': POOL } },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
    endpointSlice(NS, 'web', NODES),
  ];
}

async function trial(vip: string, prober: HttpProber): Promise<ApplyTrial> {
  await flushNeigh(vip);
  const watch = await watchForIp(30_000);
  let result: ApplyTrial;
  try {
    const appliedAt = monotonicMs();
    await applyObjects(serviceObjects());
    const allocatedAt = await watch.seen;
    const hit = await prober.waitForSuccess(appliedAt, () => true, 30_000);
    const arpRttMs = (await arpingRttMs(vip)) ?? Number.NaN;
    result = { allocatedMs: allocatedAt - appliedAt, firstAnswerMs: hit.done - appliedAt, arpRttMs };
  } finally {
    await watch.stop();
  }
  await kubectl(['delete', 'service', 'web', '-n', NS, '--wait=true']);
  await kubectl(['delete', 'endpointslice', 'web-lab', '-n', NS, '--ignore-not-found']);
  // Withdrawn before the next trial: no answer after the first second of 3 s of asking.
  if ((await lastArpAnswerMs(vip, Date.now(), 3000)) > 1000) throw new Error(`${vip} still answered after its Service was deleted`);
  return result;
}

export async function applyToFirstAnswer(trials: number): Promise<ApplyTrial[]> {
  const vip = vip4(2);
  await down();
  await upCluster();
  try {
    await applyObjects([
      { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: POOL, namespace: 'herald-system' }, spec: { addresses: [`${vip}/32`], autoAssign: false } },
      { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: POOL, namespace: 'herald-system' }, spec: { ipAddressPools: [POOL] } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    ]);
    for (const node of NODES) await waitForSpeakerQuorum(node);
    const prober = await HttpProber.start(vip);
    try {
      const results: ApplyTrial[] = [];
      for (let i = 0; i < trials; i++) results.push(await trial(vip, prober));
      return results;
    } finally {
      await prober.stop();
    }
  } finally {
    await down();
  }
}
