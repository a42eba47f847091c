// The quorum alert and the failover panel on the network lab, judged by a real Prometheus: three speakers announce
// the lab's VIPs, and Prometheus (in the client's namespace) scrapes each on its node's address, with Herald's rules.
// Cut one node off from the others' heartbeats (nftables in its namespace, as split-brain.lab.test.ts does): its
// herald_speaker_quorum drops to 0 and HeraldSpeakerWithoutQuorum goes pending naming that node, while the two others
// take its IPs over, which herald_speaker_ips_gained_total (the dashboard's failovers) counts exactly.
import { dashboardQueries } from './artifacts.js';
import { startLabPrometheus, type LabPrometheus } from './lab-prometheus.js';
import { execIn } from '../lab/exec.js';
import { down, up } from '../lab/lab.js';
import { VIPS, electedOwner, expectClientReachesElected } from '../lab/scenario.js';
import { startSpeaker, stopAllSpeakers, waitForSpeakerQuorum, writeSpeakerConfig } from '../lab/speakers.js';
import { HEARTBEAT_PORT, NODES, hostByName, nsOf, v4Of } from '../lab/topology.js';
import { waitFor } from '../integration/harness.js';

const victim = electedOwner(VIPS[0] ?? '');
const others = NODES.filter((n) => n !== victim);
const TABLE = 'hl_quorum';

let prometheus: LabPrometheus | undefined;

const lab = (): LabPrometheus => {
  if (prometheus === undefined) throw new Error('prometheus did not start');
  return prometheus;
};
const speakerAlerts = () => lab().alerts('HeraldSpeakerWithoutQuorum');
const perNode = (expr: string) => lab().perNode(expr);

function setHeartbeats(node: string, cut: boolean): Promise<unknown> {
  if (!cut) return execIn(nsOf(node), ['nft', 'delete', 'table', 'inet', TABLE]);
  return execIn(nsOf(node), ['nft', '-f', '-'], `table inet ${TABLE} {
  chain input { type filter hook input priority 0; udp dport ${HEARTBEAT_PORT} drop; }
  chain output { type filter hook output priority 0; udp dport ${HEARTBEAT_PORT} drop; }
}
`);
}

beforeAll(async () => {
  await down();
  await up();
  const config = writeSpeakerConfig({ ips: VIPS.map((ip) => ({ ip })) });
  for (const node of NODES) startSpeaker(node, config, ['--metrics-host', v4Of(hostByName(node))]);
  for (const node of NODES) await waitForSpeakerQuorum(node);
  await expectClientReachesElected(NODES, 30_000);
  prometheus = await startLabPrometheus();
  await waitFor('every speaker scraped with quorum', async () => Object.values(await perNode('herald_speaker_quorum')).filter((v) => v === 1).length === 3, 30_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopAllSpeakers('SIGKILL').catch(() => undefined);
  await down();
});

test('every speaker hears the others: no quorum alert (and, with no controller in this lab, HeraldControllerNoLeader is pending)', async () => {
  await waitFor('a rule evaluation after the scrapes', async () => {
    return (await lab().alerts('HeraldControllerNoLeader')).length > 0;
  }, 15_000);
  expect(await speakerAlerts()).toEqual([]);
});

test(`${victim} cut off: HeraldSpeakerWithoutQuorum pending for it alone; the others' IPs gained are exactly what they took over`, async () => {
  const before = await perNode('herald_speaker_ips_gained_total');
  await setHeartbeats(victim, true);
  try {
    await expectClientReachesElected(others, 15_000);
    const pending = await waitFor('the quorum alert', async () => {
      const now = await speakerAlerts();
      return now.length > 0 ? now : undefined;
    }, 30_000);
    expect(pending.map((a) => ({ node: a.labels.node, pod: a.labels.pod, state: a.state })))
      .toEqual([{ node: victim, pod: `herald-speaker-${victim}`, state: 'pending' }]);
    const takenBy = (node: string): number => VIPS.filter((v) => electedOwner(v) === victim && electedOwner(v, others) === node).length;
    expect(VIPS.filter((v) => electedOwner(v) === victim).length).toBeGreaterThan(0);
    const expected = Object.fromEntries(others.map((n) => [n, (before[n] ?? 0) + takenBy(n)]));
    const after = await waitFor('the takeovers scraped', async () => {
      const now = await perNode('herald_speaker_ips_gained_total');
      return others.every((n) => now[n] === expected[n]) ? now : undefined;
    }, 15_000);
    expect(after[victim]).toBe(before[victim]);
    const failovers = dashboardQueries().find((q) => q.where.startsWith('panel "Failovers'));
    const panel = await perNode(failovers?.expr ?? 'absent(x)');
    for (const n of others.filter((o) => takenBy(o) > 0)) expect({ node: n, shows: (panel[n] ?? 0) > 0 }).toEqual({ node: n, shows: true });
    expect(await perNode('count by (node) (herald_speaker_announced)')).not.toHaveProperty(victim);
  } finally {
    await setHeartbeats(victim, false);
  }
});

test('heard again: the quorum alert goes', async () => {
  await expectClientReachesElected(NODES, 15_000);
  await waitFor('no quorum alert', async () => (await speakerAlerts()).length === 0, 30_000);
});
