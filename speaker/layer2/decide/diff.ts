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
  const announce = [...want].filter(([k]) => !have.has(k)).map(([, a]) => a);
  const withdraw = [...have].filter(([k]) => !want.has(k)).map(([, a]) => a);
  // Sorted so logs and tests read the same whatever order the inputs came in.
  return { announce: announce.sort(byKey), withdraw: withdraw.sort(byKey) };
}

function byKey(a: Announcement, b: Announcement): number {
  const ka = announcementKey(a);
  const kb = announcementKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
