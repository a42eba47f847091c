// What the speaker pays for IPv6 traffic it does not care about: n1 announces an IPv4 and an IPv6 VIP (so
// both its packet sockets are open), and the client sends n1 a steady UDP stream (what pod traffic looks
// like to an ETH_P_IPV6 socket). Measured: the speaker's CPU seconds over the stream, from /proc, and the
// frames its sockets delivered to JavaScript (frames_received_total). Once with the kernel filters (as
// shipped), once with HERALD_PACKET_FILTER=off (packet-socket.ts), the same build in the same run.
import { join } from 'node:path';
import { execIn, findProc, sleep, spawnIn } from '../../lab/exec.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { metricValue, speakerMetrics, speakerRole, startSpeaker, stopAllSpeakers, waitForAnnouncement, writeSpeakerConfig } from '../../lab/speakers.js';
import { HOST_IF, NODES, hostByName, macOf, nsOf, v6Of, vip4, vip6 } from '../../lab/topology.js';
import { cpuSeconds } from './proc.js';

export const STREAM_PER_SECOND = 5000;
export const STREAM_SECONDS = 10;

export interface StreamCost {
  cpuSeconds: number;
  framesReceived: number;
  sent: number;
}

export async function speakerCostUnderStream(filter: boolean): Promise<StreamCost> {
  const ips = [vip4(1), vip6(1)];
  const config = writeSpeakerConfig({ ips: ips.map((ip) => ({ ip, nodes: ['n1'], interfaces: ['eth0'] })) }, 'stream.yaml');
  const env = filter ? undefined : { HERALD_PACKET_FILTER: 'off' };
  for (const node of NODES) startSpeaker(node, config, ['--log-level', 'warn'], { ...(env && { env }) });
  const n1 = hostByName('n1');
  // The client knows n1's MAC for good: no solicitation interleaves with the stream.
  await execIn(nsOf('client'), ['ip', 'neigh', 'replace', v6Of(n1), 'lladdr', macOf(n1), 'dev', HOST_IF, 'nud', 'permanent']);
  try {
    for (const ip of ips) await waitForAnnouncement('n1', ip);
    await sleep(4000); // past the gratuitous bursts
    const speaker = findProc(speakerRole('n1'));
    if (!speaker) throw new Error('n1 speaker is gone');
    const framesBefore = metricValue(await speakerMetrics('n1'), 'herald_speaker_frames_received_total');
    const cpuBefore = cpuSeconds(speaker.pid);
    const { child } = spawnIn(nsOf('client'), [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test', 'lab', 'udp-stream.ts'),
      v6Of(n1), '9', String(STREAM_PER_SECOND), String(STREAM_SECONDS)], { role: 'udp-stream', pipeStdout: true, cwd: REPO_ROOT });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    await sleep(200); // the last frames read
    const cpu = cpuSeconds(speaker.pid) - cpuBefore;
    const frames = metricValue(await speakerMetrics('n1'), 'herald_speaker_frames_received_total') - framesBefore;
    return { cpuSeconds: cpu, framesReceived: frames, sent: Number(output.trim()) };
  } finally {
    await stopAllSpeakers('SIGTERM');
    await execIn(nsOf('client'), ['ip', 'neigh', 'del', v6Of(n1), 'dev', HOST_IF]).catch(() => undefined);
  }
}
