// Announcing, judged from the client by the kernel's neighbour table, arping, ndisc6 and curl: the
// elected owner's gratuitous burst moves an existing entry, only the owner answers, and HTTP to the VIP
// reaches the owner's node, over IPv4 and IPv6.
import { macOf, hostByName, vip4, vip6 } from './topology.js';
import { arpingMacs, curlVip, flushNeigh, ndiscMacs, neighMac, plantNeigh, waitFor } from './judges.js';
import { electedOwner, endScenario, startScenario } from './scenario.js';

/** A MAC no lab host has: the "old owner" a client remembers from before the speakers started. */
const STALE_MAC = '02:00:00:00:00:99';
const V4 = vip4(0);
const V6 = vip6(0);
const macOfOwner = (vip: string) => macOf(hostByName(electedOwner(vip)));

describe('announcing a VIP', () => {
  beforeAll(async () => {
    // With arp_accept=0 a Linux client only updates an entry it already has: plant one, pointing elsewhere.
    await startScenario(async () => {
      await plantNeigh(V4, STALE_MAC);
      await plantNeigh(V6, STALE_MAC);
    });
  });

  afterAll(endScenario);

  // The wait includes the speakers' start: under tsx, with the Kubernetes client among the modules it loads, a
  // speaker on a busy 2-core machine took 7 to 15 s to come up (measured), so 8 s was no longer enough.
  it("moves the client's existing IPv4 entry to the owner's MAC by gratuitous ARP alone", async () => {
    await waitFor(`client neighbour entry for ${V4}`, () => neighMac(V4), macOfOwner(V4), 30_000);
  });

  it("moves the client's existing IPv6 entry to the owner's MAC by unsolicited NA alone", async () => {
    await waitFor(`client neighbour entry for ${V6}`, () => neighMac(V6), macOfOwner(V6), 30_000);
  });

  it('gets ARP answers from the owner only', async () => {
    expect(await arpingMacs(V4)).toEqual([macOfOwner(V4)]);
  });

  it('gets Neighbor Advertisements from the owner only', async () => {
    expect(await ndiscMacs(V6)).toEqual([macOfOwner(V6)]);
  });

  it("reaches the owner's HTTP server from a cold neighbour table, over IPv4 and IPv6", async () => {
    await flushNeigh(V4);
    await flushNeigh(V6);
    expect(await curlVip(V4)).toBe(electedOwner(V4));
    expect(await curlVip(V6)).toBe(electedOwner(V6));
  });
});
