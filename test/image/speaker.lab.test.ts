// The speaker image in a lab node's network namespace (issue 11 §1): the container runs with exactly what
// config/speaker/daemonset.yaml declares (its command, env and securityContext, read from the manifest) in place of
// that node's speaker process, with the lab's file source as its arguments instead of the Kubernetes source. The
// client judges as in failover.lab.test.ts: curl reaches the node the election names, arping sees its MAC. The
// container runs through kube-runtime.sh, so its capabilities are what containerd or CRI-O would leave it.
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1SecurityContext } from '@kubernetes/client-node';
import { buildImage } from '../../scripts/image/build.js';
import { imageToolsMissing, podman } from '../../scripts/image/podman.js';
import { down, up } from '../lab/lab.js';
import { arpingMacs } from '../lab/judges.js';
import { electedOwner, expectClientReachesElected, VIPS } from '../lab/scenario.js';
import { heartbeatKeyFile, startSpeaker, stopAllSpeakers, waitForSpeakerQuorum, writeSpeakerConfig } from '../lab/speakers.js';
import { hostByName, macOf, NODES, nsOf, v4Of, vip4 } from '../lab/topology.js';
import {
  CAP_NET_RAW, capabilityBits, containerLogs, containerPid, manifestContainer, procStatus, removeContainer, rootIsReadOnly,
  runManifestContainer, type ManifestContainer,
} from './containers.js';
import { describeWhen } from './skip.js';

/** The node whose speaker is the container: the one the election makes owner of the first VIP. */
const NODE = electedOwner(vip4(0));
const OTHERS = NODES.filter((n) => n !== NODE);
const NAME = `herald-image-speaker-${NODE}`;
/** Speakers' start on a busy 2-core machine took up to 15 s (failover.lab.test.ts). */
const START_MS = 30_000;

let image = '';
let configPath = '';
let scratch = '';

/** The speaker container on NODE, as `manifest` declares it, reading the lab's file source. */
async function startSpeakerContainer(manifest: ManifestContainer = manifestContainer('speaker/daemonset.yaml', 'DaemonSet')): Promise<number> {
  await runManifestContainer({
    name: NAME, image, manifest, network: `ns:/run/netns/${nsOf(NODE)}`,
    fields: { 'spec.nodeName': NODE, 'metadata.namespace': 'herald-system', 'status.podIP': v4Of(hostByName(NODE)) },
    replaceArgs: ['--source=file:/etc/herald/speakers.yaml', '--heartbeat-key-file=/etc/herald/heartbeat.key', '--log-level=info'],
    volumes: [`${configPath}:/etc/herald/speakers.yaml:ro`, `${join(scratch, 'heartbeat.key')}:/etc/herald/heartbeat.key:ro`],
  });
  return containerPid(NAME);
}

describeWhen(imageToolsMissing(), `the speaker image in lab node ${NODE}`, () => {
  beforeAll(async () => {
    image = (await buildImage({ quiet: true })).tag;
    await down();
    await up();
    configPath = writeSpeakerConfig({ ips: VIPS.map((ip) => ({ ip })) });
    // A copy anyone may read: the negative control below runs as a non-root uid and must fail on its sockets,
    // not on the key.
    scratch = mkdtempSync(join(tmpdir(), 'herald-image-speaker-'));
    chmodSync(scratch, 0o755);
    copyFileSync(heartbeatKeyFile(), join(scratch, 'heartbeat.key'));
    chmodSync(join(scratch, 'heartbeat.key'), 0o644);
    for (const node of OTHERS) startSpeaker(node, configPath, ['--metrics-port', '0']);
  }, 30 * 60_000);

  afterAll(async () => {
    await removeContainer(NAME);
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("runs as the DaemonSet declares: uid 0 with NET_RAW and nothing else, no privilege escalation, read-only root", async () => {
    const status = procStatus(await startSpeakerContainer());
    expect(status.Uid?.split(/\s+/)).toEqual(['0', '0', '0', '0']);
    expect({ eff: capabilityBits(status.CapEff), prm: capabilityBits(status.CapPrm), bnd: capabilityBits(status.CapBnd), amb: capabilityBits(status.CapAmb) })
      .toEqual({ eff: [CAP_NET_RAW], prm: [CAP_NET_RAW], bnd: [CAP_NET_RAW], amb: [] });
    expect(status.NoNewPrivs).toBe('1');
    expect(status.Seccomp).toBe('2');
    expect(await podman(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', NAME]).then((r) => r.stdout.trim())).toBe('true');
    expect(rootIsReadOnly(await containerPid(NAME))).toBe(true);
  });

  it('joins the mesh and answers for the IPs the election gives its node (ARP from its MAC, curl reaches it)', async () => {
    await waitForSpeakerQuorum(NODE, START_MS);
    await expectClientReachesElected(NODES, START_MS);
    expect(await arpingMacs(vip4(0))).toEqual([macOf(hostByName(NODE))]);
  }, 90_000);

  it('loses its IPs to the other nodes when the container is SIGKILLed, and takes them back when it runs again', async () => {
    await podman(['kill', '--signal', 'KILL', NAME]);
    await expectClientReachesElected(OTHERS);
    await startSpeakerContainer();
    await expectClientReachesElected(NODES, START_MS);
  }, 90_000);

  it('hands its IPs over at once when the container is stopped (SIGTERM: the goodbye)', async () => {
    await podman(['stop', '--time', '10', NAME]);
    await expectClientReachesElected(OTHERS, 2000);
  }, 60_000);

  it('as a non-root uid with NET_RAW added, gets no capability and no packet socket under a Kubernetes runtime', async () => {
    // The securityContext the DaemonSet would have if it ran as the image's user: why it runs as uid 0 instead.
    const declared = manifestContainer('speaker/daemonset.yaml', 'DaemonSet');
    const nonRoot: V1SecurityContext = { ...declared.container.securityContext, runAsUser: 65532, runAsNonRoot: true };
    const status = procStatus(await startSpeakerContainer({ ...declared, container: { ...declared.container, securityContext: nonRoot } }));
    expect(status.Uid?.split(/\s+/)[1]).toBe('65532');
    expect(capabilityBits(status.CapEff)).toEqual([]);
    // The speaker itself says why: its AF_PACKET socket (speaker/native) was refused when it came to announce.
    await expectLogMatching(/_PacketSocket/, START_MS);
    expect(await containerLogs(NAME)).toMatch(/socket on \\"eth0\\": Operation not permitted/);
  }, 60_000);
});

async function expectLogMatching(pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let log = '';
  while (Date.now() < deadline) {
    log = await containerLogs(NAME);
    if (pattern.test(log)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the speaker container's log never matched ${pattern} within ${timeoutMs} ms:\n${log.slice(-3000)}`);
}
