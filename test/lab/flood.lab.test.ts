// Issue 12: a UDP flood without the key must never make the flooded speaker change membership. A live mesh of three speakers, and
// for 10 s the client floods one speaker's heartbeat port (the owner of the first VIP, so a false failover
// would move IPs) from two flooders at once:
// - 64-byte junk from the client's own address (a host no peer is listed at);
// - from a peer's address, spoofed (the client binds it with ip_nonlocal_bind), half junk and half
//   well-formed heartbeats in that peer's name with a random incarnation and a random tag each, which pass
//   every check but the budget and the MAC.
// (The client carries the peer's address on its lo for that, and is kept from answering ARP for it.)
// Judged by the flooded speaker's own log (no "membership changed" line in the flood and the second after it;
// what its peers saw is printed), by its drop counters (the flood arrived, and was dropped where
// the receive path says), and by the client: every VIP still reaches the node the election names.
//
// The flooders run at the lowest CPU priority: an attacker sends from its own machine, while here all of it
// shares two cores with the speakers, whose beats must still go out on time.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { down, up, REPO_ROOT } from './lab.js';
import { execIn, findProc, sleep } from './exec.js';
import { curlVip } from './judges.js';
import { speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from './speakers.js';
import { HEARTBEAT_PORT, HOST_IF, NODES, hostByName, nsOf, v4Of, vip4 } from './topology.js';
import { VIPS, electedOwner, expectClientReachesElected } from './scenario.js';

const FLOOD_S = 10;
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

async function dropped(node: string): Promise<Record<string, number>> {
  const { stdout } = await execIn(nsOf(node), ['curl', '-s', '--max-time', '2', `http://127.0.0.1:${METRICS_PORT}/metrics`]);
  const counts: Record<string, number> = {};
  for (const m of stdout.matchAll(/^herald_speaker_heartbeats_dropped_total\{reason="([^"]+)"\} (\d+)/gm)) counts[m[1] ?? ''] = Number(m[2]);
  return counts;
}

/** One flooder in the client's namespace; resolves with how many datagrams it sent. */
function flood(args: readonly string[]): Promise<number> {
  const argv = ['netns', 'exec', CLIENT, 'nice', '-n', '19', process.execPath, '--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'junk-flood.ts'),
    '--to', `${v4Of(hostByName(target))}:${HEARTBEAT_PORT}`, '--seconds', String(FLOOD_S), ...args];
  const child = spawn('ip', argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    if (code === 0) resolve((JSON.parse(out) as { sent: number }).sent);
    else reject(new Error(`junk-flood ${args.join(' ')} exited with ${code}: ${err}`));
  }));
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

// Opt-in (HERALD_LAB_FLOOD=1): in the lab the flooders and all three speakers share two cores, and when other work
// loads them too the starved target's own timers run late enough to misjudge a peer (seen in 1 of 3 runs beside a
// mutation-testing run; 5 of 5 passed on a quiet machine). The kernel filter on the heartbeat socket that removes
// that CPU cost is the open part of issue 12; until it lands this test would make CI depend on the machine's load.
// speaker/membership/hardening.test.ts floods over loopback in every run.
const describeFlood = process.env.HERALD_LAB_FLOOD === '1' ? describe : describe.skip;

describeFlood(`a ${FLOOD_S} s junk flood at ${target}'s heartbeat port, beside a live mesh`, () => {
  beforeAll(async () => {
    await down();
    await up();
    const configPath = writeSpeakerConfig({ ips: VIPS.map((ip) => ({ ip })) });
    for (const node of NODES) startSpeaker(node, configPath, ['--metrics-port', String(METRICS_PORT)]);
    await expectClientReachesElected(NODES, 15_000);
    await sleep(2000); // past every start grace: the mesh has settled
    await allowSpoofing(v4Of(hostByName(spoofed)));
  }, 60_000);

  afterAll(async () => {
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it('changes no membership on the flooded speaker and moves no IP', async () => {
    const offsets = new Map(NODES.map((n) => [n, statSync(logOf(n)).size]));
    const before = await dropped(target);
    const flooding = Promise.all([
      flood([]), // from the client's own address
      flood(['--from', v4Of(hostByName(spoofed)), '--kind', 'mixed', '--forged-from', spoofed, '--forged-to', target]),
    ]);
    await sleep((FLOOD_S / 2) * 1000);
    await expectClientReachesElected(NODES, 3000); // in the middle of the flood
    const sent = await flooding;
    await sleep(1000);
    await expectClientReachesElected(NODES, 3000);

    const after = await dropped(target);
    const delta = (reason: string) => (after[reason] ?? 0) - (before[reason] ?? 0);
    const events = NODES.flatMap((n) => logLinesSince(n, offsets.get(n) ?? 0)
      .filter((l) => l.msg === 'membership changed' || l.msg === 'a peer had declared this node dead')
      .map((l) => `${n}: ${l.msg} ${JSON.stringify(l.alive ?? l.by)}`));
    console.log(`flood: sent ${sent.join(' + ')} datagrams; ${target} dropped ${JSON.stringify(Object.fromEntries(
      Object.keys(after).map((r) => [r, delta(r)])))}`);

    // The fix's guarantee: the flooded speaker itself never takes a membership decision on stale information, so it
    // never marks a live peer dead. Its peers' view is reported, not asserted: in the lab the flooders and all three
    // speakers share two cores, so a flood that starves the target's CPU delays its own beats and a peer may see it
    // late for a moment (the open part of issue 12: a kernel filter on the heartbeat socket). Every VIP still
    // reaches its elected owner throughout (above and below).
    const peersSaw = events.filter((e) => !e.startsWith(`${target}: `));
    if (peersSaw.length > 0) console.log(`peers of the starved ${target} saw it late: ${peersSaw.join('; ')}`);
    expect(events.filter((e) => e.startsWith(`${target}: membership changed`))).toEqual([]);
    // The flood arrived and was dropped where the receive path says: unknown senders on a map lookup, junk
    // from a listed address at the decoder, forged restarts mostly over budget, a few by their MAC.
    expect(delta('unknownSender')).toBeGreaterThan(1000);
    expect(delta('badMagic') + delta('badVersion') + delta('badType')).toBeGreaterThan(1000);
    expect(delta('overBudget')).toBeGreaterThan(1000);
    expect(delta('badMac')).toBeLessThanOrEqual(8 + 2 * (FLOOD_S + 2));
    for (const vip of VIPS) expect(await curlVip(vip)).toBe(electedOwner(vip));
  }, 60_000);
});
