// The rolling restart of test/lab/rolling.ts on a fresh lab cluster, the client probing HTTP every 10 ms and
// asking ARP for the VIP all along.
import { applyObjects, endpointSlice, externalIp, upCluster, userObjects } from '../../lab/cluster.js';
import { settledOwner } from '../../lab/failover.js';
import { down } from '../../lab/lab.js';
import { HttpProber, monotonicMs } from '../../lab/probe.js';
import { askArpAllAlong, rollSpeakers } from '../../lab/rolling.js';
import { waitForSpeakerQuorum } from '../../lab/speakers.js';
import { NODES, vip4 } from '../../lab/topology.js';

export interface RollingResult {
  longestGapMs: number;
  failedRequests: number;
  requests: number;
  arpAsked: number;
  arpUnanswered: number;
  arpLongestMiss: number;
}

export async function rollingRestart(rounds: number): Promise<RollingResult> {
  await down();
  await upCluster();
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
      return {
        longestGapMs: prober.outageAfter(start), failedRequests: during.filter((s) => !s.ok).length, requests: during.length,
        arpAsked: asked, arpUnanswered: unanswered, arpLongestMiss: longestMiss,
      };
    } finally {
      await prober.stop();
    }
  } finally {
    await down();
  }
}
