// A short flap of the owner's link: long enough for the other nodes to declare the owner dead (they hear
// its fast beats) and for the successor to move the client by gratuitous ARP, too short for the owner to
// notice anything itself (its peers beat it slowly). When the link returns the election hands the IPs
// back, and the owner must move the client back with a fresh gratuitous burst: the client's entry still
// names the successor, which no longer answers for the VIPs. Judged by `ip neigh` and `curl`.
//
// Only the victim's VIPs are configured: the other nodes then own nothing, so nobody needs to hear them
// fast and they beat the victim once a second, which is what keeps the victim unaware of the flap (in a
// lab where every node owns something, all three beat each other fast and the victim loses quorum too).
import { sleep } from './exec.js';
import { curlVip, neighMac, waitFor } from './judges.js';
import { down, ipIn, linkDown, linkUp, up } from './lab.js';
import { monotonicMs } from './probe.js';
import { startSpeaker, stopAllSpeakers, writeSpeakerConfig } from './speakers.js';
import { BRIDGE, BRIDGE_NS, NODES, hostByName, macOf, vip4 } from './topology.js';
import { VIPS, electedOwner } from './scenario.js';

const FLAP_MS = 300;
/** From the link's return to the client's entry naming the owner again and curl reaching it. */
const BACK_WITHIN_MS = 1000;

const victim = electedOwner(vip4(0));
const successor = electedOwner(vip4(0), NODES.filter((n) => n !== victim));
const macOfNode = (node: string): string => macOf(hostByName(node));
/** Every lab VIP the victim owns with all nodes alive, over both families. */
const victimVips = VIPS.filter((v) => electedOwner(v) === victim);

async function expectClientReachesVictim(timeoutMs: number): Promise<void> {
  const want = victimVips.map((v) => `${v}=${victim}`).join(' ');
  const seen = async (): Promise<string> => (await Promise.all(victimVips.map(async (v) => `${v}=${(await curlVip(v)) ?? 'none'}`))).join(' ');
  await waitFor('client reaches the victim for its VIPs', seen, want, timeoutMs);
}

/**
 * Watches the client's entry for `vip` for `ms`, so the test can show the successor really took over
 * during the flap (else a flap too short to be noticed would pass for a fixed bug).
 */
async function macsSeenFor(vip: string, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const end = monotonicMs() + ms;
  while (monotonicMs() < end) {
    const mac = await neighMac(vip);
    if (mac !== undefined) seen.add(mac);
    await sleep(10);
  }
  return seen;
}

async function expectOwnerWinsClientBack(): Promise<void> {
  const start = monotonicMs();
  for (const vip of victimVips) {
    const left = Math.max(50, BACK_WITHIN_MS - (monotonicMs() - start));
    await waitFor(`client neighbour entry for ${vip} after the flap`, () => neighMac(vip), macOfNode(victim), left);
  }
  // curl over the entry the client now has: the owner's node must serve, not the successor's.
  for (const vip of victimVips) expect(await curlVip(vip)).toBe(victim);
  expect(monotonicMs() - start).toBeLessThan(BACK_WITHIN_MS + 200);
}

/** Flaps with `cut`/`heal` while watching the client's entry; returns the MACs seen during the flap. */
async function flap(cut: () => Promise<unknown>, heal: () => Promise<unknown>): Promise<Set<string>> {
  await expectClientReachesVictim(8000);
  // Settle: the burst of the last handover is over and the entry names the owner (curl just used it).
  await sleep(3500);
  expect(await neighMac(vip4(0))).toBe(macOfNode(victim));
  await cut();
  let seen: Set<string>;
  try {
    seen = await macsSeenFor(vip4(0), FLAP_MS);
  } finally {
    await heal();
  }
  return seen;
}

describe(`a ${FLAP_MS} ms flap of ${victim}'s link (owner of ${victimVips.join(', ')})`, () => {
  beforeAll(async () => {
    expect(victimVips.length).toBeGreaterThan(1);
    await down();
    await up();
    const config = writeSpeakerConfig({ ips: victimVips.map((ip) => ({ ip })) }, 'flap.yaml');
    for (const node of NODES) startSpeaker(node, config, ['--metrics-port', '0']);
  });

  afterAll(async () => {
    await stopAllSpeakers('SIGKILL').catch(() => undefined);
    await down();
  });

  it('its own link down and up: the client is back on the owner within 1 s of the link returning', async () => {
    const seen = await flap(() => linkDown(victim), () => linkUp(victim));
    expect(seen).toContain(macOfNode(successor));
    await expectOwnerWinsClientBack();
  });

  it('its switch port off the segment and back (carrier never drops on the owner): the same', async () => {
    // The owner sees nothing at all here: only its peers' heartbeats can tell it that it was gone.
    const seen = await flap(
      () => ipIn(BRIDGE_NS, ['link', 'set', victim, 'nomaster']),
      () => ipIn(BRIDGE_NS, ['link', 'set', victim, 'master', BRIDGE]),
    );
    expect(seen).toContain(macOfNode(successor));
    await expectOwnerWinsClientBack();
  });
});
