// A peer that misbehaves, judged on the wire. n1's speaker peers with BIRD like every node, and also with a
// scripted peer (scripted-peer.ts) at 192.0.2.2:1179 in the router's namespace, which sends it octets written
// here by hand: header garbage, UPDATEs broken in the ways RFC 7606 sorts into "treat-as-withdraw",
// "attribute discard" and "session reset", an attribute nobody knows, 100 000 prefixes at once, a NOTIFICATION.
// What the speaker answers is checked octet for octet (a NOTIFICATION's code, subcode and data, RFC 4271 §6);
// where it must not answer, that it did not, and that it still reads (a ROUTE-REFRESH sent behind the fault is
// answered). After every case BIRD must still hold all six sessions Established since the start (its Since
// column unchanged) and the router's kernel three next hops: a bad peer costs only its own session.
import { readFileSync } from 'node:fs';
import { down, ipIn, up } from './lab.js';
import { EDGE_ASN, LAB_ASN, NODE_EDGE_ASN, birdProtocols, kernelNextHops, startBird, until, upBgpLab } from './bgp-lab.js';
import { findProc, sleep } from './exec.js';
import { KEEPALIVE, MARKER, ScriptedPeer, TYPE, attribute, message, notification, routeRefresh, typeOf, update, type OpenSpec, type PeerEvent } from './scripted-peer.js';
import { speakerRole, startSpeaker, stopAllSpeakers, writeSpeakerConfig } from './speakers.js';
import { HOST_IF, NODES, bgpVip4, hostByName, nsOf, v4Of, v6Of } from './topology.js';

/** The scripted peer's address, beside the router's own on the segment, and a port BIRD does not hold. */
const PEER_ADDRESS = '192.0.2.2';
const PEER_PORT = 1179;
/** RFC 5398's documentation AS: an eBGP session, from the speaker's 4-octet LAB_ASN. */
const PEER_ASN = 64496;
const PEER_OPEN: OpenSpec = { asn: PEER_ASN, holdTimeSeconds: 9, identifier: PEER_ADDRESS };
/** The speaker's first retry; the backoff doubles it per failure since the last Established (0.75-1 × jitter). */
const CONNECT_RETRY_MS = 1000;
const VIP = bgpVip4(0);
/** Announced by n1 to the scripted peer only: what a ROUTE-REFRESH brings back. */
const WIRE_VIP = bgpVip4(1);
const WIRE_VIP_NLRI = `20${WIRE_VIP.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`; // a /32
const BURST_PREFIXES = 100_000;
/** Four bursts of 100 000: keeping them would cost 40 MB; dropping them, decoding's garbage (up to 24 MiB seen). */
const BURST_ROUNDS = 4;
const RSS_GROWTH_LIMIT_KIB = 32 * 1024;
/** How long after the last burst its RSS is read: the speaker trims malloc every 2 s, V8 collects meanwhile. */
const SETTLE_MS = 8000;

// Well-formed pieces of an UPDATE, with 4-octet ASes (both OPENs carry the capability, RFC 6793).
const ORIGIN_IGP = attribute(0x40, 1, '00');
const AS_PATH = attribute(0x40, 2, `0201${PEER_ASN.toString(16).padStart(8, '0')}`); // AS_SEQUENCE of one AS
const NEXT_HOP = attribute(0x40, 3, 'c0000202'); // 192.0.2.2
const NLRI = '18cb0071'; // 203.0.113.0/24
const NOTIFICATION_HEADER_ERRORS: readonly [string, string, string][] = [
  // [case, what the peer sends, the NOTIFICATION the speaker must send back (RFC 4271 §6.1)]
  ['a marker that is not all ones → 1/1, no data', `${'00'.repeat(16)}001304`, `${MARKER}0015030101`],
  ['a Length of 4097 → 1/2 with the Length as data', `${MARKER}100104`, `${MARKER}00170301021001`],
  ['a KEEPALIVE 20 octets long → 1/2 with the Length as data', `${MARKER}00140400`, `${MARKER}00170301020014`],
  ['message type 7 → 1/3 with the Type as data', `${MARKER}001307`, `${MARKER}001603010307`],
];
const MP_REACH_BAD_NEXT_HOP = attribute(0x80, 14, `0002010520010db80000`); // IPv6 unicast, a 5-octet next hop
const UPDATE_RESETS: readonly [string, string, string][] = [
  // [case, UPDATE, NOTIFICATION (RFC 4271 §6.3 as RFC 7606 §3, §5.3, §7.11 keep it)]
  ['Withdrawn Routes Length overrunning the message → 3/1, no data', message(TYPE.UPDATE, '00ff0000'), `${MARKER}0015030301`],
  ['an unrecognized attribute with the Optional bit clear → 3/2 with the attribute as data',
    update('', ORIGIN_IGP + AS_PATH + NEXT_HOP + attribute(0x40, 0x63, '00'), NLRI), `${MARKER}001903030240630100`],
  ['an NLRI prefix length of 33 → 3/10, no data', update('', ORIGIN_IGP + AS_PATH + NEXT_HOP, '21cb007101'), `${MARKER}001503030a`],
  ['MP_REACH_NLRI with a 5-octet IPv6 next hop → 3/9 with the attribute as data',
    update('', ORIGIN_IGP + AS_PATH + MP_REACH_BAD_NEXT_HOP, ''), `${MARKER}0022030309${MP_REACH_BAD_NEXT_HOP}`],
  ['MP_REACH_NLRI twice → 3/1, no data',
    update('', ORIGIN_IGP + AS_PATH + attribute(0x80, 14, '00020110' + '20010db8000100000000000000000002' + '00')
      + attribute(0x80, 14, '00020110' + '20010db8000100000000000000000002' + '00'), ''), `${MARKER}0015030301`],
];
/** The speaker's log line for an UPDATE RFC 7606 let through (speaker/bgp/driver/describe.ts). */
const LOG_7606 = 'received UPDATE with attribute errors (RFC 7606)';
const SESSION_SURVIVES: readonly [string, string, RegExp | null][] = [
  // [case, UPDATE, what the speaker's log must say after it (null: no RFC 7606 line at all)]
  ['ORIGIN 3 (undefined): treat-as-withdraw', update('', attribute(0x40, 1, '03') + AS_PATH + NEXT_HOP, NLRI), /"treatAsWithdraw":true/],
  ['ORIGIN with the Optional bit set: treat-as-withdraw (RFC 7606 §3 c)', update('', attribute(0xc0, 1, '00') + AS_PATH + NEXT_HOP, NLRI), /"treatAsWithdraw":true/],
  ['NEXT_HOP missing from an UPDATE with NLRI: treat-as-withdraw (RFC 7606 §3 d)', update('', ORIGIN_IGP + AS_PATH, NLRI), /"treatAsWithdraw":true/],
  ['COMMUNITIES of 3 octets: treat-as-withdraw', update('', ORIGIN_IGP + AS_PATH + NEXT_HOP + attribute(0xc0, 8, 'fde800'), NLRI), /"treatAsWithdraw":true/],
  ['AGGREGATOR of 3 octets: attribute discard', update('', ORIGIN_IGP + AS_PATH + NEXT_HOP + attribute(0xc0, 7, '0000fb'), NLRI), /"treatAsWithdraw":false/],
  ['an unknown optional transitive attribute (type 255): kept, no error', update('', ORIGIN_IGP + AS_PATH + NEXT_HOP + attribute(0xc0, 255, 'deadbeef'), NLRI), null],
];

let peer: ScriptedPeer;
let birdBaseline: Record<string, { state: string; since: string }> = {};
const figures: Record<string, unknown> = {};

function speakerPid(): number {
  const record = findProc(speakerRole('n1'));
  if (record === undefined) throw new Error('no speaker runs on n1');
  return record.pid;
}

function speakerLog(): string {
  return readFileSync(findProc(speakerRole('n1'))?.logFile ?? '', 'utf8');
}

/** VmRSS or VmHWM of a process, in KiB, from /proc/PID/status. */
function memoryKib(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

/** BIRD's Since, HH:MM:SS.mmm, in ms of the day. */
function clockMs(since: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(since);
  if (m === null) throw new Error(`BIRD's Since "${since}" is not HH:MM:SS.mmm`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
}

const isNotification = (e: PeerEvent): boolean => e.event === 'message' && typeOf(e.hex) === TYPE.NOTIFICATION;

/** The connection is open: the last accept came after the last close. */
function connected(): boolean {
  const last = [...peer.events].reverse().find((e) => e.event === 'accept' || e.event === 'close');
  return last?.event === 'accept';
}

/** The speaker's answer to `fault`: the NOTIFICATION it sends, then its close. */
async function answerTo(fault: string): Promise<string> {
  await peer.establish(PEER_OPEN);
  peer.send(fault);
  const answer = await peer.nextMessage(TYPE.NOTIFICATION, 5000);
  await peer.next('the speaker closing the connection', (e) => e.event === 'close', 5000);
  return answer.hex;
}

/**
 * Sends `fault`, then a ROUTE-REFRESH: the speaker, still reading, answers it with its route (TCP keeps the order,
 * so the fault was read first). Then 2.5 s (the speaker's keepalive is 1 s): KEEPALIVEs, no NOTIFICATION, no close.
 */
async function expectSessionSurvives(fault: string): Promise<void> {
  const mark = peer.mark();
  peer.send(fault + routeRefresh(1, 1));
  await peer.next('the answer to the ROUTE-REFRESH', (e) => e.event === 'message' && typeOf(e.hex) === TYPE.UPDATE && e.hex.endsWith(WIRE_VIP_NLRI), 30_000);
  await sleep(2500);
  const after = peer.since(mark);
  expect(after.filter((e) => isNotification(e) || e.event === 'close')).toEqual([]);
  expect(after.filter((e) => e.event === 'message' && e.hex === KEEPALIVE).length).toBeGreaterThanOrEqual(1);
}

/** Ends an open session from the peer's side with a Cease (6/4 Administrative Reset) and waits for the close. */
async function hangUp(): Promise<void> {
  if (!connected()) return;
  peer.send(notification(6, 4));
  await peer.next('the speaker closing after our Cease', (e) => e.event === 'close', 5000);
}

/** 2001:db8:HHHH:LLLL::/64 for i = HHHH·65536 + LLLL: 100 000 distinct IPv6 prefixes inside the documentation /32. */
function burstUpdates(count: number, offset = 0): string {
  const perUpdate = 448; // 9 octets each: 4093 octets per UPDATE, under RFC 4271's 4096
  const nextHop = '20010db8000100000000000000000002';
  const updates: string[] = [];
  for (let first = offset; first < offset + count; first += perUpdate) {
    let nlri = '';
    for (let i = first; i < Math.min(first + perUpdate, offset + count); i++) nlri += `4020010db8${i.toString(16).padStart(8, '0')}`;
    updates.push(update('', ORIGIN_IGP + AS_PATH + attribute(0x90, 14, `00020110${nextHop}00${nlri}`), ''));
  }
  return updates.join('');
}

describe('a misbehaving BGP peer, scripted on the wire, beside BIRD', () => {
  beforeAll(async () => {
    await down();
    await up();
    await upBgpLab();
    await ipIn(nsOf('router'), ['address', 'add', `${PEER_ADDRESS}/24`, 'dev', HOST_IF]);
    await startBird();
    peer = await ScriptedPeer.start(PEER_ADDRESS, PEER_PORT);
    const config = writeSpeakerConfig({
      bgpPeers: [
        { name: 'router', myASN: LAB_ASN, peerASN: LAB_ASN, peerAddress: v4Of(hostByName('router')), connectTime: '1s' },
        { name: 'edge', myASN: NODE_EDGE_ASN, peerASN: EDGE_ASN, peerAddress: v6Of(hostByName('router')), connectTime: '1s' },
        {
          name: 'wire', myASN: LAB_ASN, peerASN: PEER_ASN, peerAddress: PEER_ADDRESS, peerPort: PEER_PORT,
          holdTime: '9s', keepaliveTime: '1s', connectTime: `${CONNECT_RETRY_MS}ms`, nodes: ['n1'],
        },
      ],
      ips: [
        { ip: VIP, modes: ['bgp'], bgp: { peers: ['router'] } },
        { ip: WIRE_VIP, modes: ['bgp'], nodes: ['n1'], bgp: { peers: ['wire'] } },
      ],
    }, 'bgp-misbehaving.yaml');
    for (const node of NODES) startSpeaker(node, config);
    await until('six Established sessions in BIRD', birdProtocols,
      (p) => NODES.every((n) => p[n]?.state === 'Established' && p[`${n}e`]?.state === 'Established'), 60_000);
    await until('three next hops', () => kernelNextHops(VIP), (h) => h.length === 3, 10_000);
    birdBaseline = await birdProtocols();
  }, 120_000);

  afterEach(async () => {
    await hangUp();
    // Every BIRD session is Established and has been since the start; the route keeps its three next hops. BIRD
    // prints Since from its monotonic clock, so the same instant may read a millisecond apart from one look to the next.
    const now = await birdProtocols();
    expect(Object.keys(now).sort()).toEqual(Object.keys(birdBaseline).sort());
    for (const [name, { state, since }] of Object.entries(now)) {
      expect({ name, state, sinceMovedMs: Math.abs(clockMs(since) - clockMs(birdBaseline[name]?.since ?? '')) <= 50 ? 0 : since })
        .toEqual({ name, state: 'Established', sinceMovedMs: 0 });
    }
    expect(await kernelNextHops(VIP)).toEqual(NODES.map((n) => v4Of(hostByName(n))).sort());
  }, 20_000);

  afterAll(async () => {
    console.log(`misbehaving-peer lab figures: ${JSON.stringify(figures)}`);
    await peer.stop().catch(() => undefined);
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it.each(NOTIFICATION_HEADER_ERRORS)('header garbage: %s', async (_, fault, expected) => {
    expect(await answerTo(fault)).toBe(expected);
  }, 40_000);

  it.each(UPDATE_RESETS)('UPDATE that resets the session: %s', async (_, fault, expected) => {
    expect(await answerTo(fault)).toBe(expected);
  }, 40_000);

  it.each(SESSION_SURVIVES)('UPDATE the session survives: %s', async (_, fault, logged) => {
    await peer.establish(PEER_OPEN);
    const logBefore = speakerLog().length;
    await expectSessionSurvives(fault);
    const log = speakerLog().slice(logBefore).split('\n').filter((l) => l.includes(LOG_7606));
    if (logged === null) expect(log).toEqual([]);
    else expect(log.some((l) => logged.test(l))).toBe(true);
  }, 40_000);

  it(`${BURST_PREFIXES} prefixes at once, ${BURST_ROUNDS} times: read and dropped, the speaker's RSS grows less than keeping them would`, async () => {
    await peer.establish(PEER_OPEN);
    const pid = speakerPid();
    const rssBefore = memoryKib(pid, 'VmRSS');
    const rounds: Record<string, number | null>[] = [];
    // Bursts of different prefixes. A speaker that kept what it received would hold all 400 000, at 100 octets a
    // prefix or more (a key, a Map entry, the path): 40 MB. One that drops them has only decoding's garbage, whose
    // heap V8 reuses burst after burst and gives back some seconds later, or not (seen: +20-24 MiB right after the
    // first burst, 3.5-19 MiB ten seconds on).
    for (let round = 0; round < BURST_ROUNDS; round++) {
      const burst = burstUpdates(BURST_PREFIXES, round * BURST_PREFIXES);
      const sentAt = Date.now();
      await expectSessionSurvives(burst);
      const refreshed = peer.events.filter((e) => e.event === 'message' && typeOf(e.hex) === TYPE.UPDATE).at(-1);
      const readMs = refreshed !== undefined && 't' in refreshed ? refreshed.t - sentAt : null;
      rounds.push({ readMs, growthKib: memoryKib(pid, 'VmRSS') - rssBefore });
    }
    await sleep(SETTLE_MS);
    const growth = memoryKib(pid, 'VmRSS') - rssBefore;
    figures.burstOctets = burstUpdates(BURST_PREFIXES).length / 2;
    figures.burstRssBeforeKib = rssBefore;
    figures.burstRounds = rounds;
    figures.burstRssGrowthSettledKib = growth;
    figures.burstRssPeakKib = memoryKib(pid, 'VmHWM');
    expect(growth).toBeLessThan(RSS_GROWTH_LIMIT_KIB);
  }, 150_000);

  it('a NOTIFICATION from the peer: the speaker closes without answering and comes back after 1, 2, 4 s (±jitter)', async () => {
    await peer.establish(PEER_OPEN);
    let mark = peer.mark();
    peer.send(notification(6, 2)); // Cease, Administrative Shutdown (RFC 4486)
    let closed = await peer.next('the speaker closing after our NOTIFICATION', (e) => e.event === 'close', 5000);
    expect(peer.since(mark).filter(isNotification)).toEqual([]); // RFC 4271 §6: a NOTIFICATION is never answered
    const gaps: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      const accepted = await peer.next('the speaker reconnecting', (e) => e.event === 'accept', 15_000);
      if (!('t' in accepted) || !('t' in closed)) throw new Error('events without times');
      gaps.push(accepted.t - closed.t);
      await peer.nextMessage(TYPE.OPEN, 5000);
      mark = peer.mark();
      peer.send(notification(6, 5)); // Cease, Connection Rejected, in OpenSent: another failure in a row
      closed = await peer.next('the speaker closing after our NOTIFICATION', (e) => e.event === 'close', 5000);
      expect(peer.since(mark).filter(isNotification)).toEqual([]);
    }
    figures.notificationBackoffMs = gaps;
    // The n-th retry in a row waits ConnectRetryTime × 2^(n-1) × a jitter in 0.75..1 (RFC 4271 §10).
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(0.75 * CONNECT_RETRY_MS * 2 ** i - 20);
      expect(gap).toBeLessThanOrEqual(CONNECT_RETRY_MS * 2 ** i + 600);
    });
  }, 60_000);
});
