// The kernel filters on the speaker's packet sockets (speaker/native/codec/packet-filters.ts), judged on the lab: a
// steady IPv6 stream to the owner node (the traffic pods bring) reaches none of the speakers' sockets
// (frames_received_total does not move), while a Neighbor Solicitation for the VIP is still answered by the
// owner (ndisc6), and an ARP request too (arping).
import { join } from 'node:path';
import { execIn, spawnIn } from './exec.js';
import { arpingMacs, ndiscMacs } from './judges.js';
import { REPO_ROOT, down, up } from './lab.js';
import { electedOwner } from './scenario.js';
import { metricValue, speakerMetrics, startSpeaker, stopAllSpeakers, waitForAnnouncement, writeSpeakerConfig } from './speakers.js';
import { HOST_IF, NODES, hostByName, macOf, nsOf, v6Of, vip4, vip6 } from './topology.js';

const V4 = vip4(0);
const V6 = vip6(0);
const DATAGRAMS = 5000;

async function framesReceived(): Promise<number[]> {
  return Promise.all(NODES.map(async (node) => metricValue(await speakerMetrics(node), 'herald_speaker_frames_received_total')));
}

async function udpStream(to: string, perSecond: number, seconds: number): Promise<number> {
  const script = join(REPO_ROOT, 'test', 'lab', 'udp-stream.ts');
  const { child } = spawnIn(nsOf('client'), [process.execPath, '--import', 'tsx', script, to, '9', String(perSecond), String(seconds)],
    { role: 'udp-stream', pipeStdout: true, cwd: REPO_ROOT });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return Number(output.trim());
}

describe('the kernel filters on the speakers\' packet sockets', () => {
  const owner = electedOwner(V6);

  beforeAll(async () => {
    await down();
    await up();
    const config = writeSpeakerConfig({ ips: [{ ip: V4 }, { ip: V6 }] });
    for (const node of NODES) startSpeaker(node, config);
    await waitForAnnouncement(electedOwner(V4), V4);
    await waitForAnnouncement(owner, V6);
    // The client knows the owner's MAC for good: no solicitation of its own interleaves with the stream.
    const host = hostByName(owner);
    await execIn(nsOf('client'), ['ip', 'neigh', 'replace', v6Of(host), 'lladdr', macOf(host), 'dev', HOST_IF, 'nud', 'permanent']);
  });

  afterAll(async () => {
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it(`delivers none of ${DATAGRAMS} UDP datagrams to the owner node to any speaker`, async () => {
    const before = await framesReceived();
    expect(await udpStream(v6Of(hostByName(owner)), DATAGRAMS, 1)).toBe(DATAGRAMS);
    const after = await framesReceived();
    // A node's kernels may check each other's addresses meanwhile (NUD): those solicitations pass the
    // filter by design and are dropped as notOwned. None of the stream does (without the filter: thousands).
    expect(after.map((n, i) => n - (before[i] ?? 0)).every((delta) => delta <= 4)).toBe(true);
    const notRequest = await Promise.all(NODES.map(async (node) =>
      metricValue(await speakerMetrics(node), 'herald_speaker_frames_dropped_total{reason="notRequest"}')));
    expect(notRequest).toEqual(NODES.map(() => 0));
  });

  it('still answers a Neighbor Solicitation and an ARP request for the VIPs, from the owner only', async () => {
    expect(await ndiscMacs(V6)).toEqual([macOf(hostByName(owner))]);
    expect(await arpingMacs(V4)).toEqual([macOf(hostByName(electedOwner(V4)))]);
    const answered = metricValue(await speakerMetrics(owner), 'herald_speaker_requests_answered_total');
    expect(answered).toBeGreaterThan(0);
  });
});
