// The announcer: owns the AF_PACKET sockets, one per (interface, family) that carries an announced IP,
// sends the gratuitous burst when an IP is gained, answers ARP requests and Neighbor Solicitations while
// it is held, and forgets it at once when it is withdrawn. Only the speaker loop calls apply().
import type { Family } from '../../lib/ip/index.js';
import type { Logger } from '../../lib/log.js';
import type { FrameInfo, FrameSocket } from '../native/packet-socket.js';
import { BurstScheduler } from './bursts.js';
import { GRATUITOUS_SCHEDULE_MS } from './decide/burst.js';
import { announcementKey, type Announcement, type AnnouncementDiff, type AnnouncementKey } from './decide/diff.js';
import type { LinkInfo } from './decide/interfaces.js';
import { respondToArp, respondToNdp, type DropReason, type ResponderContext } from './decide/responder.js';
import {
  canonicalMac,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  gratuitousArp,
  type MacAddress,
  solicitedNodeMac,
  unsolicitedNeighborAdvertisement,
} from './frames/index.js';

export type OpenSocket = (
  ifname: string,
  ethertype: number,
  onFrame: (frame: Uint8Array, info: FrameInfo) => void,
  onError: (error: Error) => void,
) => FrameSocket;

export interface AnnouncerOptions {
  openSocket: OpenSocket;
  logger: Logger;
  /** Offsets of the gratuitous frames after gaining an IP (decide/burst.ts); tests shorten it. */
  schedule?: readonly number[];
}

export interface AnnouncerStats {
  framesSent: number;
  framesReceived: number;
  requestsAnswered: number;
  sendErrors: number;
  /** IPs this speaker began to hold that it held on no interface before apply(): a failover to it, or a new IP. */
  ipsGained: number;
  drops: Record<DropReason, number>;
  /** Per IP held (MetalLB's layer 2 counters); an IP's entry goes when the IP is withdrawn from every interface. */
  perIp: Map<string, IpFrameCounts>;
}

/** Frames for one held IP: requests it answered, replies the kernel took, gratuitous frames the kernel took. */
export interface IpFrameCounts {
  requestsReceived: number;
  responsesSent: number;
  gratuitousSent: number;
}

/** One announcement apply() could not make (the socket would not open, the interface is gone, ...). */
export interface AnnounceFailure extends Announcement {
  error: Error;
}

interface Held extends Announcement {
  family: Family;
}

/** An open socket and the link it was opened on: AF_PACKET binds to an ifindex, not to a name. */
interface SocketEntry {
  socket: FrameSocket;
  /** The link's name and index when the socket was opened. */
  ifname: string;
  index: number;
  mac: MacAddress;
  /** What the responder needs for every frame this socket receives, built once with the socket. */
  ctx: ResponderContext;
}

const familyOf = (ip: string): Family => (ip.includes(':') ? 6 : 4);
const socketKey = (ifname: string, family: Family): string => `${ifname}/${family}`;

export class Announcer {
  private readonly held = new Map<AnnouncementKey, Held>();
  private readonly sockets = new Map<string, SocketEntry>();
  /** The responder's view, kept up to date here rather than rebuilt for every received frame. */
  private readonly owned = new Map<string, Set<string>>();
  readonly stats: AnnouncerStats = {
    framesSent: 0, framesReceived: 0, requestsAnswered: 0, sendErrors: 0, ipsGained: 0,
    drops: { otherHost: 0, notRequest: 0, gratuitous: 0, notOwned: 0, wrongInterface: 0, fromSelf: 0, malformed: 0, invalid: 0 },
    perIp: new Map(),
  };

  private readonly bursts: BurstScheduler<Held>;
  /**
   * Each running burst's frame, built at its first send and dropped when the burst is over: five sends
   * of a frame built once, instead of five builds (which parse the addresses again each time) for
   * every IP gained in a failover, and nothing kept per IP once the burst is done.
   */
  private readonly burstFrames = new Map<Held, Uint8Array>();

  constructor(private readonly options: AnnouncerOptions) {
    this.bursts = new BurstScheduler(
      options.schedule ?? GRATUITOUS_SCHEDULE_MS,
      (held) => this.sendGratuitous(held),
      (held) => this.burstFrames.delete(held),
    );
  }

  current(): Announcement[] {
    return [...this.held.values()].map(({ ip, ifname }) => ({ ip, ifname }));
  }

  /**
   * Withdraws first, so an IP moving between interfaces is never answered on both at once. One
   * announcement that fails does not stop the others: the failures are returned, and the failed ones
   * stay out of current(), so the loop's next plan (or its timed retry) makes them again.
   * Announcements on a link that was re-created, or changed its MAC, under the same name are made again
   * on a fresh socket: the old socket is bound to an ifindex that is gone, and answers with the old MAC.
   */
  async apply(diff: AnnouncementDiff, links: readonly LinkInfo[]): Promise<AnnounceFailure[]> {
    // Before anything is withdrawn: an IP moving to another interface, or made again on a re-created link, is not gained.
    const heldBefore = new Set(this.owned.keys());
    const withdrawn = new Set(diff.withdraw.map(announcementKey));
    const redo = this.heldOnChangedLinks(links).filter((a) => !withdrawn.has(announcementKey(a)));
    for (const a of [...diff.withdraw, ...redo]) await this.withdraw(a);
    const failures: AnnounceFailure[] = [];
    const gained: Held[] = [];
    for (const a of [...diff.announce, ...redo]) {
      try {
        const link = links.find((l) => l.name === a.ifname);
        if (link === undefined) throw new Error('no such interface');
        gained.push(await this.announce(a, link));
      } catch (err) {
        failures.push({ ...a, error: new Error(`announce ${a.ip} on "${a.ifname}": ${(err as Error).message}`, { cause: err }) });
      }
    }
    this.bursts.start(gained);
    this.stats.ipsGained += new Set(gained.map((h) => h.ip).filter((ip) => !heldBefore.has(ip))).size;
    return failures;
  }

  /** Checked per socket (a few), not per held IP (thousands): every IP on a socket shares its link. */
  private heldOnChangedLinks(links: readonly LinkInfo[]): Announcement[] {
    const stale = new Set<string>();
    for (const [key, entry] of this.sockets) {
      const link = links.find((l) => l.name === entry.ifname);
      // A link that is gone (or lost its MAC) is the plan's business: it withdraws the announcement.
      if (link === undefined || link.mac === '') continue;
      if (link.index !== entry.index || canonicalMac(link.mac) !== entry.mac) stale.add(key);
    }
    if (stale.size === 0) return [];
    const changed: Announcement[] = [];
    for (const h of this.held.values()) {
      if (stale.has(socketKey(h.ifname, h.family))) changed.push({ ip: h.ip, ifname: h.ifname });
    }
    return changed;
  }

  /** Holds `a` (answering for it from now on); its burst is started by the caller, with the batch's. */
  private async announce(a: Announcement, link: LinkInfo): Promise<Held> {
    const family = familyOf(a.ip);
    const { socket } = this.socketFor(link, family);
    try {
      if (family === 6) socket.addMulticast(solicitedNodeMac(a.ip));
    } catch (err) {
      // A socket opened for this announcement alone must not outlive it: nothing else would close it.
      await this.closeIfUnused(a.ifname, family);
      throw err;
    }
    const held: Held = { ...a, family };
    this.held.set(announcementKey(a), held);
    this.owned.set(a.ip, (this.owned.get(a.ip) ?? new Set()).add(a.ifname));
    return held;
  }

  /**
   * Sends the gratuitous burst again, from its start, for announcements held (the loop's reannounce
   * decision, decide/reannounce.ts); what is not held is skipped. A burst still running is restarted.
   */
  reannounce(announcements: readonly Announcement[]): void {
    this.bursts.start(announcements.flatMap((a) => this.held.get(announcementKey(a)) ?? []));
  }

  /** Gratuitous bursts still running. */
  get burstsPending(): number {
    return this.bursts.pending;
  }

  /**
   * One frame of a burst. The frame carries the socket's MAC: a link whose MAC changes has its
   * announcements made again as new Held entries (apply), whose bursts build fresh frames.
   */
  private sendGratuitous(held: Held): void {
    const entry = this.sockets.get(socketKey(held.ifname, held.family));
    if (entry === undefined) return;
    let frame = this.burstFrames.get(held);
    if (frame === undefined) {
      frame = held.family === 4 ? gratuitousArp(entry.mac, held.ip) : unsolicitedNeighborAdvertisement(entry.mac, held.ip);
      this.burstFrames.set(held, frame);
    }
    if (this.send(entry.socket, frame)) this.countsFor(held.ip).gratuitousSent++;
  }

  private countsFor(ip: string): IpFrameCounts {
    let counts = this.stats.perIp.get(ip);
    if (counts === undefined) {
      counts = { requestsReceived: 0, responsesSent: 0, gratuitousSent: 0 };
      this.stats.perIp.set(ip, counts);
    }
    return counts;
  }

  private async withdraw(a: Announcement): Promise<void> {
    const key = announcementKey(a);
    const held = this.held.get(key);
    if (held === undefined) return;
    // Forgotten before anything else: from here on the responder treats the IP as notOwned.
    this.held.delete(key);
    this.owned.get(a.ip)?.delete(a.ifname);
    if (this.owned.get(a.ip)?.size === 0) {
      this.owned.delete(a.ip);
      // Forgotten with the IP, so churn through a large pool keeps no counters for IPs long gone.
      this.stats.perIp.delete(a.ip);
    }
    this.bursts.cancel(held);
    if (await this.closeIfUnused(a.ifname, held.family)) return;
    if (held.family === 4) return;
    try {
      this.sockets.get(socketKey(a.ifname, 6))?.socket.dropMulticast(solicitedNodeMac(a.ip));
    } catch (err) {
      // The IP is already forgotten; a group left joined only lets in frames the responder drops.
      this.options.logger.warn({ err, ip: a.ip, ifname: a.ifname }, 'leaving the solicited-node group failed');
    }
  }

  /** Closes the (interface, family) socket when no held IP uses it; true when none is open any more. */
  private async closeIfUnused(ifname: string, family: Family): Promise<boolean> {
    const key = socketKey(ifname, family);
    const entry = this.sockets.get(key);
    if (entry === undefined) return true;
    for (const h of this.held.values()) if (h.ifname === ifname && h.family === family) return false;
    this.sockets.delete(key);
    await entry.socket.close();
    return true;
  }

  private socketFor(link: LinkInfo, family: Family): SocketEntry {
    const key = socketKey(link.name, family);
    const existing = this.sockets.get(key);
    if (existing !== undefined) return existing;
    const ifname = link.name;
    const socket = this.options.openSocket(
      ifname,
      family === 4 ? ETHERTYPE_ARP : ETHERTYPE_IPV6,
      (frame, info) => this.receive(key, family, frame, info),
      (err) => this.options.logger.error({ err, ifname }, 'receiving on the interface failed'),
    );
    const mac = canonicalMac(link.mac);
    const entry: SocketEntry = { socket, ifname, index: link.index, mac, ctx: { ifname: socket.ifname, mac, owned: this.owned } };
    this.sockets.set(key, entry);
    return entry;
  }

  private receive(key: string, family: Family, frame: Uint8Array, info: FrameInfo): void {
    this.stats.framesReceived++;
    const entry = this.sockets.get(key);
    if (entry === undefined) return;
    const result = family === 4 ? respondToArp(frame, entry.ctx, info.packetType) : respondToNdp(frame, entry.ctx, info.packetType);
    if (result.kind === 'drop') {
      this.stats.drops[result.reason]++;
      return;
    }
    this.stats.requestsAnswered++;
    const counts = this.countsFor(result.ip);
    counts.requestsReceived++;
    if (this.send(entry.socket, result.frame)) counts.responsesSent++;
  }

  /** True when the kernel took the frame. */
  private send(socket: FrameSocket, frame: Uint8Array): boolean {
    try {
      socket.send(frame);
      this.stats.framesSent++;
      return true;
    } catch (err) {
      // An interface going down under us: counted and logged; the interface watcher's next event
      // withdraws the announcement.
      this.stats.sendErrors++;
      this.options.logger.warn({ err, ifname: socket.ifname }, 'sending a frame failed');
      return false;
    }
  }
}
