// npm start as root with no cluster (and npm run demo): the whole product on one machine. Brings up the network lab
// with an API server, installs Herald into it with kubectl (config/default), runs the controller and a speaker on
// each of three nodes as the Deployment and the DaemonSet would, applies an IPAddressPool, an L2Advertisement and a
// Service with kubectl, shows the client reaching the Service's IP, then kills the node that announces it (its
// speaker SIGKILLed and its link pulled at the same instant). It prints how long the client, probing every 10 ms,
// was cut off and which node took over (from its ServiceL2Status), and writes the timeline as an SVG picture to the
// working directory. Always tears the lab down.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binariesCurrent, buildBinaries, findGo } from '../cluster/build.js';
import { applyObjects, endpointSlice, externalIp, kubectl, upCluster, userObjects } from './cluster.js';
import { stringify } from 'yaml';
import { findProc, sleep } from './exec.js';
import { down, linkDown, requireRoot } from './lab.js';
import { curlVip, hostOfMac, neighMac, waitFor } from './judges.js';
import { HttpProber, monotonicMs } from './probe.js';
import { settledOwner } from './failover.js';
import { speakerRole } from './speakers.js';
import { timelineSvg } from './timeline-svg.js';
import { NODES, hostByName, macOf, vip4 } from './topology.js';

const NS = 'demo';
const PICTURE = 'herald-failover.svg';
const say = (line = ''): void => console.log(line);

/** What the user applies, shown as YAML: the pool is the ten addresses every lab node serves. */
const applied = userObjects(NS, [`${vip4(0)}-${vip4(9)}`]);

function installDeps(): void {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'install-deps.sh');
  const result = spawnSync('bash', [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status})`);
}

/** The demo runs the real kubectl, built with the test control plane (once per machine, a few minutes). */
async function ensureKubectl(): Promise<void> {
  if (binariesCurrent()) return;
  if (!findGo()) {
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0) return;
    throw new Error('the demo needs kubectl: install Go (it builds kubectl from source once) or put kubectl on PATH');
  }
  say('Building kubectl (with kube-apiserver and etcd, for the tests) from Go modules, once per machine ...');
  const built = await buildBinaries({ log: (line) => say(`  ${line}`) });
  say(`  done in ${built.seconds.toFixed(0)} s`);
}

async function owningNode(): Promise<string> {
  const list = JSON.parse(await kubectl(['get', 'servicel2statuses', '-n', NS, '-o', 'json'])) as { items: { status?: { node?: string } }[] };
  return list.items.map((i) => i.status?.node ?? '').join(', ');
}

async function setUp(): Promise<string> {
  say('Herald full-stack failover demo');
  say('  a network lab of Linux namespaces: one Ethernet segment, three nodes (n1-n3), a client and a router;');
  say('  an API server on the router, Herald installed with `kubectl apply -k config/default`, the controller and a');
  say('  speaker per node started as the Deployment and the DaemonSet start them.');
  const kubeconfig = await upCluster();
  say(`  kubeconfig: ${kubeconfig} (use it from a lab namespace: ip netns exec hl-client kubectl --kubeconfig ...)`);
  say();
  say('$ kubectl apply -f -      (from the client)');
  say(applied.map((o) => stringify(o)).join('---\n').split('\n').map((l) => `    ${l}`).join('\n'));
  say((await applyObjects(applied)).trim());
  await applyObjects([endpointSlice(NS, 'web', NODES)]); // what an EndpointSlice controller would write
  const ip = await externalIp(NS, 'web');
  say(`$ kubectl get service web -n ${NS}`);
  say((await kubectl(['get', 'service', 'web', '-n', NS])).trimEnd());
  await waitFor(`a first answer from ${ip}`, async () => (await curlVip(ip)) !== undefined, true, 60_000);
  say(`$ curl http://${ip}/      (from the client)`);
  say(`${await curlVip(ip)}`);
  await waitFor('the ServiceL2Status', async () => (await owningNode()) !== '', true, 15_000);
  say(`$ kubectl get servicel2statuses -n ${NS}`);
  say((await kubectl(['get', 'servicel2statuses', '-n', NS])).trimEnd());
  say();
  return ip;
}

async function failover(ip: string): Promise<void> {
  const prober = await HttpProber.start(ip, 10, 1000);
  try {
    const owner = await settledOwner(prober, undefined, 15_000);
    const speaker = findProc(speakerRole(owner));
    if (!speaker) throw new Error(`no speaker on ${owner}`);
    say(`client probes http://${ip}/ every 10 ms; ${owner} answers.`);
    const fault = `${owner} killed: SIGKILL to its speaker, its link down`;
    say(`killing ${owner}: SIGKILL to its speaker (pid ${speaker.pid}) and its link down, at the same instant ...`);
    const faultAt = monotonicMs();
    process.kill(speaker.pid, 'SIGKILL');
    await linkDown(owner);
    const hit = await prober.waitForSuccess(faultAt, (body) => body !== owner, 15_000);
    await sleep(1100); // the probes sent into the void reach their 1 s timeout; the picture shows a second after
    const inWindow = prober.samples.filter((s) => s.sent >= faultAt && s.sent < hit.done);
    say();
    say(`client cut off for ${Math.round(hit.done - faultAt)} ms: from the kill to the first answer from ${hit.body ?? '?'}`);
    say(`  (${inWindow.filter((s) => !s.ok).length} of the ${inWindow.length} probes sent in between got no answer)`);
    const mac = await neighMac(ip);
    say(`client's neighbour table: ${ip} is at ${mac} (${hostOfMac(mac ?? '')}; ${hit.body ?? '?'} is ${macOf(hostByName(hit.body ?? 'n1'))})`);
    await waitFor('the ServiceL2Status naming the new node', async () => owningNode(), hit.body ?? '', 10_000).catch(() => undefined);
    say(`$ kubectl get servicel2statuses -n ${NS}      (who took over, as the cluster says)`);
    say((await kubectl(['get', 'servicel2statuses', '-n', NS])).trimEnd());
    say(`$ kubectl get events -n ${NS} --field-selector reason=nodeAssigned`);
    say((await kubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=nodeAssigned'])).trimEnd());
    // npm runs scripts in the package's folder; INIT_CWD is where the user typed the command.
    const picture = resolve(process.env.INIT_CWD ?? process.cwd(), PICTURE);
    writeFileSync(picture, timelineSvg({ samples: prober.samples, faultMs: faultAt, fault, recovered: hit, nodes: NODES }));
    say();
    say(`timeline picture (every request, coloured by the node that answered): ${picture}`);
  } finally {
    await prober.stop();
  }
}

async function main(): Promise<void> {
  requireRoot();
  installDeps();
  await ensureKubectl();
  try {
    await down();
    await failover(await setUp());
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
