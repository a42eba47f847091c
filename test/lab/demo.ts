// npm run demo (root): a layer 2 failover anyone can watch on one machine. Brings the network lab up,
// lets three Herald speakers announce one VIP, shows the client reaching it, kills the owner node (its
// speaker SIGKILLed and its link pulled at the same instant) and prints how long the client, probing
// every 10 ms, was cut off and which node took over. Always tears the lab down.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rankNodes } from '../../speaker/election/index.js';
import { DEFAULT_DEAD_AFTER, DEFAULT_INTERVAL_MS } from '../../speaker/membership/core/defaults.js';
import { findProc, sleep } from './exec.js';
import { down, linkDown, requireRoot, up } from './lab.js';
import { curlVip, neighMac, hostOfMac, waitFor } from './judges.js';
import { HttpProber, monotonicMs } from './probe.js';
import { settledOwner } from './failover.js';
import { speakerRole, startSpeaker, writeSpeakerConfig } from './speakers.js';
import { NODES, hostByName, macOf, v4Of, vip4 } from './topology.js';

const VIP = vip4(0);
const say = (line = ''): void => console.log(line);

function installDeps(): void {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'install-deps.sh');
  const result = spawnSync('bash', [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status})`);
}

async function showSetup(): Promise<void> {
  say('Herald layer 2 failover demo');
  say('  one Ethernet segment (a bridge in namespace hl-br), three nodes and a client:');
  for (const node of NODES) say(`    ${node}  ${v4Of(hostByName(node)).padEnd(12)} MAC ${macOf(hostByName(node))}  runs a speaker and an HTTP server that answers "${node}"`);
  say(`    client  ${v4Of(hostByName('client'))}`);
  say(`  VIP ${VIP}: every node accepts it (on lo, arp_ignore=1, like kube-proxy strictARP); only the speaker that owns it answers ARP.`);
  say(`  the election ranks the nodes for ${VIP}: ${rankNodes(VIP, NODES.map((name) => ({ name }))).join(' > ')}`);
  say(`  heartbeats every ${DEFAULT_INTERVAL_MS} ms, a peer is dead after ${DEFAULT_DEAD_AFTER} missed (the defaults)`);
  say();
}

async function demo(): Promise<void> {
  await down();
  await up();
  await showSetup();
  const config = writeSpeakerConfig({ ips: [{ ip: VIP }] });
  for (const node of NODES) startSpeaker(node, config, ['--log-level', 'warn']);
  await waitFor('a first answer from the VIP', async () => (await curlVip(VIP)) !== undefined, true, 15_000);
  const first = await curlVip(VIP);
  say(`$ curl http://${VIP}/      (from the client)`);
  say(`${first}`);
  const firstMac = await neighMac(VIP);
  say(`client's neighbour table: ${VIP} is at ${firstMac} (${hostOfMac(firstMac ?? '')})`);
  say();

  const prober = await HttpProber.start(VIP, 10, 1000);
  try {
    const owner = await settledOwner(prober, undefined, 10_000);
    const speaker = findProc(speakerRole(owner));
    if (!speaker) throw new Error(`no speaker on ${owner}`);
    say(`client probes http://${VIP}/ every 10 ms; ${owner} answers.`);
    say(`killing ${owner}: SIGKILL to its speaker (pid ${speaker.pid}) and its link down, at the same instant ...`);
    const faultAt = monotonicMs();
    process.kill(speaker.pid, 'SIGKILL');
    await linkDown(owner);
    const hit = await prober.waitForSuccess(faultAt, (body) => body !== owner, 15_000);
    await sleep(1100); // let the probes sent into the void reach their 1 s timeout
    const inWindow = prober.samples.filter((s) => s.sent >= faultAt && s.sent < hit.done);
    const failed = inWindow.filter((s) => !s.ok).length;
    say();
    say(`client cut off for ${Math.round(hit.done - faultAt)} ms: from the kill to the first answer from ${hit.body}`);
    say(`  (${failed} of the ${inWindow.length} probes sent in between got no answer)`);
    const mac = await neighMac(VIP);
    say(`${hit.body} took over; client's neighbour table: ${VIP} is at ${mac} (${hostOfMac(mac ?? '')})`);
  } finally {
    await prober.stop();
  }
}

async function main(): Promise<void> {
  requireRoot();
  installDeps();
  try {
    await demo();
  } finally {
    await down();
    say();
    say('lab torn down.');
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
