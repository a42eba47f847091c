// Issue 12: a UDP flood without the key must never make the flooded speaker change membership. A live mesh of
// three speakers, and for 10 s the client floods one speaker's heartbeat port (the owner of the first VIP, so a
// false failover would move IPs), in two tests:
// 1. 50 000 datagrams a second from the client's own address, a host no peer is listed at. The heartbeat
//    socket's kernel filter (speaker/native/codec/heartbeat-filter.ts) drops all of it: the speaker reads none.
// 2. 64-byte junk as fast as the client can send it from its own address, and
//    beside it a flood from a peer's address, spoofed (the client binds it with ip_nonlocal_bind), half junk
//    and half well-formed heartbeats in that peer's name with a random incarnation and a random tag each,
//    which pass every check but the budget and the MAC. A listed address passes the kernel filter by design,
//    so this half is read and judged in JavaScript. (The client carries the peer's address on its lo for
//    that, and is kept from answering ARP for it.)
// Judged by the flooded speaker's counters (the flood arrived, and was dropped where the receive path says: in
// the kernel, or by reason), its CPU over the flood (from /proc), the client (every VIP still reaches the node
// the election names), and its own log against the wire: every peer it declared dead in the flood and the second
// after it must really have gone quiet on the wire first (tcpdump on its interface times the genuine beats,
// told from spoofed ones by the sender's MAC). On this shared 2-core machine a speaker nobody floods is starved
// now and then and goes silent past the dead time (a control run with no flood did that too); its peers are then
// right to declare it dead, and the judge tells that from a verdict the flood caused. What its peers saw is
// printed. HERALD_HEARTBEAT_FILTER=off (the speakers inherit it) runs the same tests without the kernel filter,
// for the figures before it.
//
// The flooders run at the lowest CPU priority: an attacker sends from its own machine, while here all of it
// shares two cores with the speakers, whose beats must still go out on time.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { down, up, REPO_ROOT } from './lab.js';
import { execIn, findProc, sleep } from './exec.js';
import { cpuMsOf } from './cpu.js';
import { Capture, framesBySource } from './capture.js';
import { deathVerdicts, judgeVerdicts } from './death-verdicts.js';
import { curlVip } from './judges.js';
import { metricValue, speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from './speakers.js';
import { HEARTBEAT_PORT, HOST_IF, NODES, hostByName, macOf, nsOf, v4Of, vip4 } from './topology.js';
import { VIPS, electedOwner, expectClientReachesElected } from './scenario.js';

const FLOOD_S = 10;
/** HERALD_HEARTBEAT_FILTER=off (the speakers inherit it): the same tests without the kernel filter, to measure what it saves. */
const FILTER_OFF = process.env.HERALD_HEARTBEAT_FILTER === 'off';
const METRICS_PORT = 7472;
const target = electedOwner(vip4(0));
const spoofed = NODES.find((n) => n !== target) ?? 'n2';
const CLIENT = nsOf('client');

function logOf(node: string): string {
  const record = findProc(speakerRole(node));
  if (record === undefined) throw new Error(`no speaker runs on ${node}`);
  return record.logFile;
}

/** The speaker's log lines written after byte `from`, parsed. */
function logLinesSince(node: string, from: number): { msg?: string; [k: string]: unknown }[] {
  const text = readFileSync(logOf(node)).subarray(from).toString('utf8');
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string });
}

/** The flooded speaker's heartbeat counters: drops by reason, and (as `kernel`, `read`) the socket's. */
async function counters(node: string): Promise<Record<string, number>> {
  const { stdout } = await execIn(nsOf(node), ['curl', '-s', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/metrics`]);
  const counts: Record<string, number> = {
    kernel: metricValue(stdout, 'herald_speaker_heartbeat_kernel_dropped_total'),
    read: metricValue(stdout, 'herald_speaker_heartbeat_datagrams_total'),
  };
  for (const m of stdout.matchAll(/^herald_speaker_heartbeats_dropped_total\{reason="([^"]+)"\} (\d+)/gm)) counts[m[1] ?? ''] = Number(m[2]);
  return counts;
}

/** Runs argv at the lowest CPU priority in the client's namespace; resolves with its stdout. */
function inClient(argv: readonly string[]): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', CLIENT, 'nice', '-n', '19', process.execPath, '--import', 'tsx', ...argv],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    if (code === 0) resolve(out);
    else reject(new Error(`${argv.join(' ')} exited with ${code}: ${err}`));
  }));
}

/** The junk flooder, as fast as it can send; resolves with how many datagrams it sent. */
async function flood(args: readonly string[]): Promise<number> {
  const out = await inClient([join(REPO_ROOT, 'test', 'support', 'junk-flood.ts'),
    '--to', `${v4Of(hostByName(target))}:${HEARTBEAT_PORT}`, '--seconds', String(FLOOD_S), ...args]);
  return (JSON.parse(out) as { sent: number }).sent;
}

/**
 * 100-byte datagrams at a fixed rate from the client's own address (udp-stream.ts). A fixed rate makes the
 * flood the same with and without the kernel filter: flat out, a flooder sharing the speakers' two cores
 * sends faster the less the speaker takes, and its packets' kernel work (veth, bridge, socket lookup: in
 * reality the attacker's machine and the wire) then starves every speaker alike.
 */
async function stream(perSecond: number): Promise<number> {
  const out = await inClient([join(REPO_ROOT, 'test', 'lab', 'udp-stream.ts'), v4Of(hostByName(target)), String(HEARTBEAT_PORT),
    String(perSecond), String(FLOOD_S)]);
  return Number(out.trim());
}

/**
 * Lets the client send from a peer's address without taking it over. The address goes on the client's `lo`
 * (the kernel routes only from a local source; binding a foreign one needs IP_TRANSPARENT), and the client
 * neither answers ARP for it (arp_ignore=1: only for addresses on the asking interface) nor names it in its
 * own ARP requests (arp_announce=2). Else the target would learn the peer's address at the client's MAC and
 * send the peer's heartbeats to the client: a real partition, not a flood.
 */
async function allowSpoofing(address: string): Promise<void> {
  for (const [key, value] of [
    ['net.ipv4.conf.all.arp_ignore', '1'], [`net.ipv4.conf.${HOST_IF}.arp_ignore`, '1'],
    ['net.ipv4.conf.all.arp_announce', '2'], [`net.ipv4.conf.${HOST_IF}.arp_announce`, '2'],
  ] as const) await execIn(CLIENT, ['sysctl', '-qw', `${key}=${value}`]);
  await execIn(CLIENT, ['ip', 'addr', 'add', `${address}/32`, 'dev', 'lo']);
}

interface FloodOutcome {
  sent: number[];
  delta: (counter: string) => number;
  /** The flooded speaker's CPU during the flood, ms. */
  cpuMs: number;
  /** Membership changes (and rejoin notices) each speaker logged in the flood and the second after it. */
  events: string[];
  /** Peers the flooded speaker declared dead while the wire still carried their beats: what the flood caused. */
  misjudged: string[];
}

/** Runs the flooders, checks the client's view in the middle and after, and collects what the speakers saw. */
async function underFlood(flooders: readonly (() => Promise<number>)[]): Promise<FloodOutcome> {
  const offsets = new Map<string, number>(NODES.map((n) => [n, statSync(logOf(n)).size]));
  const peerMacs = NODES.filter((n) => n !== target).map((n) => `ether src ${macOf(hostByName(n))}`);
  const wire = await Capture.start(`udp dst port ${HEARTBEAT_PORT} and (${peerMacs.join(' or ')})`, target);
  await sleep(2000); // the peers' usual beat intervals, before the flood
  const floodStartMs = Date.now();
  const before = await counters(target);
  const pid = findProc(speakerRole(target))?.pid ?? 0;
  const cpuBefore = cpuMsOf(pid);
  const flooding = Promise.all(flooders.map((start) => start()));
  await sleep((FLOOD_S / 2) * 1000);
  await expectClientReachesElected(NODES, 3000); // in the middle of the flood
  const sent = await flooding;
  const cpuMs = cpuMsOf(pid) - cpuBefore;
  await sleep(1000);
  await expectClientReachesElected(NODES, 3000);
  const after = await counters(target);
  const peerOfMac = new Map(NODES.map((n) => [macOf(hostByName(n)), n]));
  const beats = framesBySource(await wire.stop()).map((f) => ({ atMs: f.atMs, peer: peerOfMac.get(f.mac) ?? f.mac }));
  const delta = (counter: string) => (after[counter] ?? 0) - (before[counter] ?? 0);
  const events = NODES.flatMap((n) => logLinesSince(n, offsets.get(n) ?? 0)
    .filter((l) => l.msg === 'membership changed' || l.msg === 'a peer had declared this node dead')
    .map((l) => `${n}: ${l.msg} ${JSON.stringify(l.alive ?? l.by)}`));
  const reasons = Object.fromEntries(Object.keys(after).filter((r) => r !== 'kernel' && r !== 'read').map((r) => [r, delta(r)]));
  console.log(`flood (kernel filter ${FILTER_OFF ? 'off' : 'on'}): sent ${sent.join(' + ')} datagrams in ${FLOOD_S} s; ${target} used ${cpuMs} ms`
    + ` of CPU, ${(cpuMs * 1000 / sent.reduce((a, b) => a + b, 0)).toFixed(2)} us per datagram sent; it read ${delta('read')}`
    + ` (${(cpuMs * 1000 / Math.max(1, delta('read'))).toFixed(1)} us each), the kernel dropped ${delta('kernel')} at its socket;`
    + ` by reason ${JSON.stringify(reasons)}`);
  if (events.length > 0) console.log(`membership changes in the flood and the second after it: ${events.join('; ')}`);
  const verdicts = deathVerdicts(target, NODES, logLinesSince(target, offsets.get(target) ?? 0));
  const misjudged: string[] = [];
  for (const j of judgeVerdicts(verdicts, beats, floodStartMs)) {
    const what = `${target} declared ${j.verdict.peer} dead at ${new Date(j.verdict.atMs).toISOString()} after ${j.quietMs.toFixed(0)} ms of silence on the wire (usual interval ${j.usualMs.toFixed(0)} ms)`;
    if (j.deserved) console.log(`${what}: the peer was starved, not the judge`);
    else misjudged.push(what);
  }
  return { sent, delta, cpuMs, events, misjudged };
}

/** The stranger's rate in the first test: more than an unfiltered speaker reads with half a core (~10 us each). */
const STREAM_PER_SECOND = 50_000;
/** Fast beats from two peers at most, plus a few slow ones, over the flood and the second after it. */
const BEATS_AT_MOST = 2 * 20 * (FLOOD_S + 2) + 100;

/**
 * The flooded speaker's own CPU over a stranger's flood, with the filter: what it uses idle (measured: 340-360 ms
 * in 10 s, the beats, the loop, the collector) plus nearly nothing. Without the filter it read the flood: 4.9-5.4 s.
 */
const FILTERED_CPU_MS_AT_MOST = 1500;

describe(`a ${FLOOD_S} s junk flood at ${target}'s heartbeat port, beside a live mesh`, () => {
  beforeAll(async () => {
    await down();
    await up();
    const configPath = writeSpeakerConfig({ ips: VIPS.map((ip) => ({ ip })) });
    for (const node of NODES) startSpeaker(node, configPath, ['--metrics-port', String(METRICS_PORT)]);
    // A speaker under tsx took up to 15 s to start on a busy 2-core machine.
    await expectClientReachesElected(NODES, 45_000);
    await sleep(2000); // past every start grace: the mesh has settled
    await allowSpoofing(v4Of(hostByName(spoofed)));
  }, 90_000);

  afterAll(async () => {
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it('from a host no peer is listed at never reaches the flooded speaker, costs it no CPU, and moves no IP', async () => {
    const { sent, delta, cpuMs, misjudged } = await underFlood([() => stream(STREAM_PER_SECOND)]);
    expect(misjudged).toEqual([]);
    expect(sent[0]).toBe(STREAM_PER_SECOND * FLOOD_S);
    if (FILTER_OFF) {
      expect(delta('unknownSender')).toBeGreaterThan(1000);
    } else {
      // Without the filter the speaker reads every datagram the socket's buffer holds: 450 000 of these 500 000.
      expect(delta('read')).toBeLessThan(BEATS_AT_MOST);
      expect(delta('unknownSender')).toBe(0);
      expect(delta('kernel')).toBeGreaterThan(0.9 * (sent[0] ?? 0)); // all of it in every run so far; the veth may drop a few
      expect(cpuMs).toBeLessThan(FILTERED_CPU_MS_AT_MOST);
    }
    for (const vip of VIPS) expect(await curlVip(vip)).toBe(electedOwner(vip));
  }, 60_000);

  it('from that host and from a peer\'s spoofed address makes the flooded speaker declare no live peer dead, and moves no IP', async () => {
    const { delta, misjudged } = await underFlood([
      () => flood([]), // from the client's own address
      () => flood(['--from', v4Of(hostByName(spoofed)), '--kind', 'mixed', '--forged-from', spoofed, '--forged-to', target]),
    ]);
    // The fix's guarantee: the flooded speaker itself never takes a membership decision on stale information, so it
    // never marks a live peer dead. Its peers' view is reported, not asserted: a flood that starves the target's CPU
    // delays its own beats, and a peer may rightly see it late for a moment. Every VIP still reaches its elected
    // owner throughout (in underFlood, and below).
    expect(misjudged).toEqual([]);
    // The flood arrived and was dropped where the receive path says: the stranger's by the kernel filter (on a map
    // lookup without it), junk from a listed address at the decoder, forged restarts mostly over budget, a few by
    // their MAC.
    if (FILTER_OFF) expect(delta('unknownSender')).toBeGreaterThan(1000);
    else expect(delta('unknownSender')).toBe(0);
    expect(delta('badMagic') + delta('badVersion') + delta('badType')).toBeGreaterThan(1000);
    expect(delta('overBudget')).toBeGreaterThan(1000);
    expect(delta('badMac')).toBeLessThanOrEqual(8 + 2 * (FLOOD_S + 2));
    for (const vip of VIPS) expect(await curlVip(vip)).toBe(electedOwner(vip));
  }, 60_000);
});
