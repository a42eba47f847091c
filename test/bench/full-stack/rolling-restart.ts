// The rolling restart of test/lab/rolling.ts on a fresh lab cluster, the client probing HTTP every 10 ms and
// asking ARP for the VIP all along. The speakers run the production bundle, as the image runs them: under tsx each start
// spends seconds of CPU compiling, and on the lab's two cores that starves the nodes' HTTP servers into gaps of their own.
// Two gaps are reported: the longest of all, and the longest across a change of the answering node (a handover).
import { CLUSTER_KUBECONFIG, applyObjects, endpointSlice, externalIp, upCluster, userObjects } from '../../lab/cluster.js';
import { settledOwner } from '../../lab/failover.js';
import { down } from '../../lab/lab.js';
import { HttpProber, monotonicMs } from '../../lab/probe.js';
import { askArpAllAlong, rollSpeakers } from '../../lab/rolling.js';
import { startClusterSpeaker, waitForSpeakerQuorum } from '../../lab/speakers.js';
import { NODES, vip4 } from '../../lab/topology.js';

export interface RollingResult {
  longestGapMs: number;
  /** The longest gap between two answers from different nodes. */
  longestHandoverMs: number;
  /**
   * The same handovers timed from the first request the client sent after the old node's last answer: a prober
   * that the two cores starve sends nothing for a while, and that silence is not the service's.
   */
  longestHandoverWaitMs: number;
  /** The longest the prober sent nothing during the roll (its interval is 10 ms). */
  longestProberSilenceMs: number;
  failedRequests: number;
  requests: number;
  arpAsked: number;
  arpUnanswered: number;
  arpLongestMiss: number;
}

export async function rollingRestart(rounds: number): Promise<RollingResult> {
  await down();
  await upCluster({ speakers: false });
  for (const node of NODES) startClusterSpeaker(node, CLUSTER_KUBECONFIG);
  try {
    await applyObjects([...userObjects('rolling', [`${vip4(1)}/32`]), endpointSlice('rolling', 'web', NODES)]);
    const ip = await externalIp('rolling', 'web');
    for (const node of NODES) await waitForSpeakerQuorum(node);
    const prober = await HttpProber.start(ip);
    try {
      await settledOwner(prober, undefined, 30_000);
      const arp = askArpAllAlong(ip);
      const start = monotonicMs();
      await rollSpeakers(rounds);
      const end = monotonicMs();
      const { asked, unanswered, longestMiss } = await arp.stop();
      const during = prober.samples.filter((s) => s.sent >= start && s.sent <= end);
      // Each failed request, for whoever has to find out why (its error and timing against the run's start).
      for (const s of during.filter((r) => !r.ok)) console.error(`  failed request ${(s.sent - start).toFixed(1)} ms into the roll: ${JSON.stringify(s)}`);
      const answers = prober.samples.filter((s) => s.ok && s.done >= start).sort((a, b) => a.done - b.done);
      const sends = prober.samples.map((s) => s.sent).filter((t) => t >= start).sort((a, b) => a - b);
      let longestHandoverMs = 0;
      let longestHandoverWaitMs = 0;
      for (let i = 1; i < answers.length; i++) {
        const [before, after] = [answers[i - 1], answers[i]];
        if (!before || !after || before.body === after.body) continue;
        longestHandoverMs = Math.max(longestHandoverMs, after.done - before.done);
        const firstAsked = sends.find((t) => t >= before.done) ?? after.sent;
        longestHandoverWaitMs = Math.max(longestHandoverWaitMs, after.done - Math.min(firstAsked, after.sent));
      }
      let longestProberSilenceMs = 0;
      for (let i = 1; i < sends.length; i++) longestProberSilenceMs = Math.max(longestProberSilenceMs, (sends[i] ?? 0) - (sends[i - 1] ?? 0));
      return {
        longestGapMs: prober.outageAfter(start), longestHandoverMs, longestHandoverWaitMs, longestProberSilenceMs,
        failedRequests: during.filter((s) => !s.ok).length, requests: during.length,
        arpAsked: asked, arpUnanswered: unanswered, arpLongestMiss: longestMiss,
      };
    } finally {
      await prober.stop();
    }
  } finally {
    await down();
  }
}
