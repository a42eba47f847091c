// The BGP and BFD panels and HeraldBGPSessionDown on the network lab, judged by BIRD and a real Prometheus: three
// speakers peer with BIRD in the router's namespace (iBGP, BFD 100 ms × 3) and announce one IP by BGP; Prometheus in
// the client's namespace scrapes them with Herald's rules. BIRD disables one node's session: the speaker's
// herald_bgp_session_up drops, its BGP series of herald_speaker_announced goes, and HeraldBGPSessionDown goes pending
// naming that node and the router's address; enabled again, all of it comes back.
import { dashboardQueries } from './artifacts.js';
import { startLabPrometheus, type LabPrometheus } from './lab-prometheus.js';
import { LAB_ASN, birdSessions, birdc, startBird, upBgpLab } from '../lab/bgp-lab.js';
import { down, up } from '../lab/lab.js';
import { startSpeaker, stopAllSpeakers, writeSpeakerConfig } from '../lab/speakers.js';
import { NODES, bgpVip4, hostByName, v4Of } from '../lab/topology.js';
import { waitFor } from '../integration/harness.js';

const VIP = bgpVip4(0);
const ROUTER = v4Of(hostByName('router'));
const victim = 'n2';
let prometheus: LabPrometheus | undefined;

const lab = (): LabPrometheus => {
  if (prometheus === undefined) throw new Error('prometheus did not start');
  return prometheus;
};
const panel = (title: string): string => {
  const q = dashboardQueries().find((d) => d.where.startsWith(`panel "${title}"`));
  if (q === undefined) throw new Error(`the dashboard has no panel "${title}"`);
  return q.expr;
};
const allIs = (values: Record<string, number>, value: number): boolean => NODES.every((n) => values[n] === value);

beforeAll(async () => {
  await down();
  await up();
  await upBgpLab();
  await startBird({ holdTimeSeconds: 3, bfd: { intervalMs: 100, multiplier: 3 } });
  const config = writeSpeakerConfig({
    bfdProfiles: [{ name: 'fast', receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }],
    bgpPeers: [{
      name: 'router', myASN: LAB_ASN, peerASN: LAB_ASN, peerAddress: ROUTER, holdTime: '3s', keepaliveTime: '1s', connectTime: '1s', bfdProfile: 'fast',
    }],
    ips: [{ ip: VIP, modes: ['bgp'], bgp: { peers: ['router'] } }],
  }, 'monitoring-bgp.yaml');
  for (const node of NODES) startSpeaker(node, config, ['--metrics-host', v4Of(hostByName(node))]);
  await waitFor('three iBGP sessions Established in BIRD', async () => {
    const s = await birdSessions();
    return NODES.every((n) => s[n] === 'Established');
  }, 60_000);
  prometheus = await startLabPrometheus();
  await waitFor('every session and BFD Up in Prometheus', async () =>
    allIs(await lab().perNode('herald_bgp_session_up'), 1) && allIs(await lab().perNode('herald_bfd_session_up'), 1), 30_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopAllSpeakers('SIGKILL').catch(() => undefined);
  await down();
});

test('every session Established and BFD Up: the dashboard\'s BGP and BFD panels show each node Up, each announces the IP by BGP', async () => {
  expect(await lab().perNode(panel('BGP session state'))).toEqual({ n1: 1, n2: 1, n3: 1 });
  expect(await lab().perNode(panel('BFD session state'))).toEqual({ n1: 1, n2: 1, n3: 1 });
  expect(await lab().perNode(`herald_speaker_announced{protocol="bgp", ip="${VIP}"}`)).toEqual({ n1: 1, n2: 1, n3: 1 });
  expect(await lab().perNode(panel('Prefixes advertised'))).toEqual({ n1: 1, n2: 1, n3: 1 });
  expect(await lab().alerts('HeraldBGPSessionDown')).toEqual([]);
});

test(`BIRD disables ${victim}'s session: HeraldBGPSessionDown pending naming ${victim} and the router; its BGP announcement gone`, async () => {
  await birdc(['disable', victim]);
  try {
    const pending = await waitFor('the BGP alert', async () => {
      const now = await lab().alerts('HeraldBGPSessionDown');
      return now.length > 0 ? now : undefined;
    }, 30_000);
    expect(pending.map((a) => ({ node: a.labels.node, peer: a.labels.peer, state: a.state }))).toEqual([{ node: victim, peer: ROUTER, state: 'pending' }]);
    expect(await lab().perNode('herald_bgp_session_up')).toEqual({ n1: 1, n2: 0, n3: 1 });
    expect(Object.keys(await lab().perNode(`herald_speaker_announced{protocol="bgp", ip="${VIP}"}`)).sort()).toEqual(['n1', 'n3']);
  } finally {
    await birdc(['enable', victim]);
  }
});

test('enabled again: the session, the announcement and quiet come back', async () => {
  await waitFor('the session back in Prometheus', async () => allIs(await lab().perNode('herald_bgp_session_up'), 1), 30_000);
  await waitFor('no BGP alert', async () => (await lab().alerts('HeraldBGPSessionDown')).length === 0, 30_000);
  expect(await lab().perNode(`herald_speaker_announced{protocol="bgp", ip="${VIP}"}`)).toEqual({ n1: 1, n2: 1, n3: 1 });
});
