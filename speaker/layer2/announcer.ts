// The announcer: owns the AF_PACKET sockets, one per (interface, family) that carries an announced IP,
// sends the gratuitous burst when an IP is gained, answers ARP requests and Neighbor Solicitations while
// it is held, and forgets it at once when it is withdrawn. Only the speaker loop calls apply().
import type { Logger } from '../../lib/log.js';
import type { FrameSocket } from '../native/packet-socket.js';
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
  onFrame: (frame: Uint8Array) => void,
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
  drops: Record<DropReason, number>;
}

interface Held extends Announcement {
  mac: MacAddress;
  family: 4 | 6;
  timers: NodeJS.Timeout[];
}

const socketKey = (ifname: string, family: 4 | 6): string => `${ifname}/${family}`;

export class Announcer {
  private readonly held = new Map<AnnouncementKey, Held>();
  private readonly sockets = new Map<string, FrameSocket>();
  private readonly macs = new Map<string, MacAddress>();
  /** The responder's view, kept up to date here rather than rebuilt for every received frame. */
  private readonly owned = new Map<string, Set<string>>();
  readonly stats: AnnouncerStats = {
    framesSent: 0, framesReceived: 0, requestsAnswered: 0, sendErrors: 0,
    drops: { notRequest: 0, gratuitous: 0, notOwned: 0, wrongInterface: 0, fromSelf: 0, malformed: 0 },
  };

  constructor(private readonly options: AnnouncerOptions) {}

  current(): Announcement[] {
    return [...this.held.values()].map(({ ip, ifname }) => ({ ip, ifname }));
  }

  /**
   * Withdraws first, so an IP moving between interfaces is never answered on both at once. One
   * announcement that fails (the interface vanished, the socket cannot open) does not stop the others;
   * the failures are thrown together at the end, and the failed ones stay out of current(), so the
   * loop's next plan tries them again.
   */
  async apply(diff: AnnouncementDiff, links: readonly LinkInfo[]): Promise<void> {
    for (const a of diff.withdraw) await this.withdraw(a);
    const errors: Error[] = [];
    for (const a of diff.announce) {
      const link = links.find((l) => l.name === a.ifname);
      try {
        if (link === undefined) throw new Error('no such interface');
        this.announce(a, canonicalMac(link.mac));
      } catch (err) {
        errors.push(new Error(`announce ${a.ip} on "${a.ifname}": ${(err as Error).message}`, { cause: err }));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
  }

  private announce(a: Announcement, mac: MacAddress): void {
    const family = a.ip.includes(':') ? 6 : 4;
    const socket = this.socketFor(a.ifname, family, mac);
    if (family === 6) socket.addMulticast(solicitedNodeMac(a.ip));
    const held: Held = { ...a, mac, family, timers: [] };
    this.held.set(announcementKey(a), held);
    this.owned.set(a.ip, (this.owned.get(a.ip) ?? new Set()).add(a.ifname));
    const frame = family === 4 ? gratuitousArp(mac, a.ip) : unsolicitedNeighborAdvertisement(mac, a.ip);
    for (const at of this.options.schedule ?? GRATUITOUS_SCHEDULE_MS) {
      if (at === 0) this.send(socket, frame);
      else held.timers.push(setTimeout(() => this.send(socket, frame), at));
    }
  }

  private async withdraw(a: Announcement): Promise<void> {
    const key = announcementKey(a);
    const held = this.held.get(key);
    if (held === undefined) return;
    // Forgotten before anything else: from here on the responder treats the IP as notOwned.
    this.held.delete(key);
    this.owned.get(a.ip)?.delete(a.ifname);
    if (this.owned.get(a.ip)?.size === 0) this.owned.delete(a.ip);
    for (const t of held.timers) clearTimeout(t);
    const socket = this.sockets.get(socketKey(a.ifname, held.family));
    if (socket === undefined) return;
    const stillUsed = [...this.held.values()].some((h) => h.ifname === a.ifname && h.family === held.family);
    if (!stillUsed) {
      this.sockets.delete(socketKey(a.ifname, held.family));
      await socket.close();
    } else if (held.family === 6) {
      socket.dropMulticast(solicitedNodeMac(a.ip));
    }
  }

  private socketFor(ifname: string, family: 4 | 6, mac: MacAddress): FrameSocket {
    const key = socketKey(ifname, family);
    this.macs.set(ifname, mac);
    const existing = this.sockets.get(key);
    if (existing !== undefined) return existing;
    const socket = this.options.openSocket(
      ifname,
      family === 4 ? ETHERTYPE_ARP : ETHERTYPE_IPV6,
      (frame) => this.receive(ifname, family, frame),
      (err) => this.options.logger.error({ err, ifname }, 'receiving on the interface failed'),
    );
    this.sockets.set(key, socket);
    return socket;
  }

  private receive(ifname: string, family: 4 | 6, frame: Uint8Array): void {
    this.stats.framesReceived++;
    const mac = this.macs.get(ifname);
    const socket = this.sockets.get(socketKey(ifname, family));
    if (mac === undefined || socket === undefined) return;
    const ctx: ResponderContext = { ifname, mac, owned: this.owned };
    const result = family === 4 ? respondToArp(frame, ctx) : respondToNdp(frame, ctx);
    if (result.kind === 'drop') {
      this.stats.drops[result.reason]++;
      return;
    }
    this.stats.requestsAnswered++;
    this.send(socket, result.frame);
  }

  private send(socket: FrameSocket, frame: Uint8Array): void {
    try {
      socket.send(frame);
      this.stats.framesSent++;
    } catch (err) {
      // An interface going down under us: counted and logged; the interface watcher's next event
      // withdraws the announcement.
      this.stats.sendErrors++;
      this.options.logger.warn({ err, ifname: socket.ifname }, 'sending a frame failed');
    }
  }
}
