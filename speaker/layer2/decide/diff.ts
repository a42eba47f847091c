// Pure: the desired announcements against the current ones → what to announce and what to withdraw,
// per (IP, interface). The announcer applies it; STYLE.md §11's declarative diff.

export interface Announcement {
  ip: string;
  ifname: string;
}

export type AnnouncementKey = `${string}%${string}`;

export function announcementKey(a: Announcement): AnnouncementKey {
  return `${a.ip}%${a.ifname}`;
}

export interface AnnouncementDiff {
  announce: Announcement[];
  withdraw: Announcement[];
}

export function diffAnnouncements(desired: readonly Announcement[], current: readonly Announcement[]): AnnouncementDiff {
  const want = new Map(desired.map((a) => [announcementKey(a), a]));
  const have = new Map(current.map((a) => [announcementKey(a), a]));
  // Sorted so logs and tests read the same whatever order the inputs came in; by the keys already made,
  // not by keys rebuilt in every comparison.
  return { announce: missingFrom(want, have), withdraw: missingFrom(have, want) };
}

/** The entries of `from` whose key `other` lacks, in key order. */
function missingFrom(from: ReadonlyMap<AnnouncementKey, Announcement>, other: ReadonlyMap<AnnouncementKey, Announcement>): Announcement[] {
  const keys: AnnouncementKey[] = [];
  for (const k of from.keys()) if (!other.has(k)) keys.push(k);
  return keys.sort().map((k) => from.get(k) as Announcement);
}
