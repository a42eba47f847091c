// Pure: which announcements this node already holds get their gratuitous burst again, and why.
//
// Gaining an IP sends a burst (burst.ts). Two things can leave clients pointing elsewhere while this node
// keeps the IP all along, so no new burst would go out by itself:
//   peerHadUsDead    a peer declared this node dead (a link flap this node did not notice: its peers
//                    beat it slowly) and may have moved clients to a successor by gratuitous ARP, then
//                    handed the IPs back when it heard this node again. Every IP held is re-sent: the
//                    peer does not say which IPs it took, and a burst per IP is cheap (burst.ts).
//   carrierRegained  this node's link lost its carrier and got it back. If the watcher saw it down the
//                    plan withdrew and re-announced already; if the watcher only saw it up twice (events
//                    coalesced, or a re-dump after an overrun) only the carrier counter moved, and the IPs
//                    on that interface are re-sent.
// An announcement made in the same batch is left out: it has just had a fresh burst.
import { announcementKey, type Announcement } from './diff.js';
import type { LinkInfo } from './interfaces.js';

export type ReannounceCause =
  | { kind: 'peerHadUsDead'; peer: string }
  | { kind: 'carrierRegained'; ifname: string };

export function reannouncements(
  held: readonly Announcement[],
  causes: readonly ReannounceCause[],
  justAnnounced: readonly Announcement[],
): Announcement[] {
  if (causes.length === 0) return [];
  const fresh = new Set(justAnnounced.map(announcementKey));
  const everything = causes.some((c) => c.kind === 'peerHadUsDead');
  const ifnames = new Set(causes.flatMap((c) => (c.kind === 'carrierRegained' ? [c.ifname] : [])));
  return held.filter((a) => !fresh.has(announcementKey(a)) && (everything || ifnames.has(a.ifname)));
}

/** Links up now whose carrier came back since `before`: seen down then, or its carrier count went up. */
export function carrierRegained(before: readonly LinkInfo[], after: readonly LinkInfo[]): string[] {
  const was = new Map(before.map((l) => [l.name, l]));
  return after.filter((l) => {
    const old = was.get(l.name);
    if (old === undefined || !l.up || old.index !== l.index) return false;
    return !old.up || (old.carrierUps !== undefined && l.carrierUps !== undefined && l.carrierUps > old.carrierUps);
  }).map((l) => l.name);
}
