// Notices interfaces coming, going and changing (up/down, enslaved, MAC, addresses, carrier flaps) from the
// kernel's own notifications: an rtnetlink socket subscribed to link and address events (the addon's
// NetlinkSocket), one dump of links and addresses at start, then nothing but the events. No polling: a
// node with hundreds of pod veths costs nothing while they stand still, and a change reaches the loop as
// soon as the kernel makes it. The pure part (codec/link-table.ts) turns messages into LinkInfo and says
// when the set changed; a change is reported only then. Events lost to an overrun (ENOBUFS) are recovered
// by reading everything again.
import type { Logger } from '../../lib/log.js';
import { initialLinkTable, stepLinkTable, type LinkTableAction, type LinkTableEvent, type LinkTableState } from '../native/codec/link-table.js';
import { decodeDatagram, encodeDumpRequest, RTMGRP, RtnetlinkError } from '../native/codec/rtnetlink.js';
import { NetlinkSocket, type OpenRouteSocket, type RouteSocket } from '../native/netlink-socket.js';
import type { LinkInfo } from './decide/interfaces.js';

const GROUPS = RTMGRP.LINK | RTMGRP.IPV4_IFADDR | RTMGRP.IPV6_IFADDR;
const DEFAULT_RETRY_MS = 1000;

export interface InterfaceWatcherOptions {
  logger: Logger;
  /** Opens the route socket: the kernel's (NetlinkSocket.open) unless a test passes a fake. */
  openRouteSocket?: OpenRouteSocket;
  /** Wait before asking again for a dump the kernel refused, ms. */
  retryMs?: number;
  /**
   * A test double instead of the kernel: snapshots come from `read`, taken at start(), on refresh() and,
   * when `intervalMs` is given, on that interval. Only tests that feed links themselves use it.
   */
  read?: () => LinkInfo[];
  intervalMs?: number;
}

export interface InterfaceWatcherStats {
  /** Datagrams read from the route socket (dump chunks and events). */
  datagrams: number;
  /** Times the kernel dropped events (ENOBUFS) and everything was read again. */
  overruns: number;
}

export class InterfaceWatcher {
  private readonly listeners: ((links: LinkInfo[]) => void)[] = [];
  private socket: RouteSocket | null = null;
  private table: LinkTableState = initialLinkTable();
  private retryTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private running = false;
  private lastRead = '';
  /** Settles start(): the first whole picture was reported, or the first dump failed. */
  private firstReport: { resolve: () => void; reject: (err: Error) => void } | null = null;
  readonly stats: InterfaceWatcherStats = { datagrams: 0, overruns: 0 };

  constructor(private readonly options: InterfaceWatcherOptions) {}

  onChange(cb: (links: LinkInfo[]) => void): void {
    this.listeners.push(cb);
  }

  /**
   * Subscribes to the kernel's link and address events, then reads every link and address; resolves
   * once listeners have heard that first snapshot. Rejects if the socket cannot be opened or the kernel
   * refuses the first dump.
   */
  async start(): Promise<void> {
    this.running = true;
    if (this.options.read !== undefined) return this.startReading();
    const first = new Promise<void>((resolve, reject) => (this.firstReport = { resolve, reject }));
    // Subscribed before the dump is asked for: a change made meanwhile is queued behind or inside it.
    this.socket = (this.options.openRouteSocket ?? NetlinkSocket.open)(
      GROUPS,
      (datagrams) => this.receive(datagrams),
      (err) => this.receiveError(err),
    );
    this.apply({ kind: 'start' });
    await first;
  }

  /**
   * Reads everything again, out of turn (a change is reported only if there is one). The kernel reports
   * every change as it happens, so this is belt and braces for when something else says the network just
   * changed: a peer telling this node it was gone means its link may have just come back.
   */
  refresh(): void {
    if (!this.running) return;
    if (this.options.read !== undefined) this.readNow();
    else this.apply({ kind: 'resync' });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.retryTimer = null;
    this.pollTimer = null;
    this.firstReport?.reject(new Error('the interface watcher was stopped before its first snapshot'));
    this.firstReport = null;
    const socket = this.socket;
    this.socket = null;
    await socket?.close();
  }

  /** One wakeup's datagrams as one event: a burst of changes costs one snapshot, not one per message. */
  private receive(datagrams: readonly Uint8Array[]): void {
    this.stats.datagrams += datagrams.length;
    let event: LinkTableEvent;
    try {
      event = { kind: 'messages', messages: datagrams.flatMap((d) => decodeDatagram(d)) };
    } catch (err) {
      if (!(err instanceof RtnetlinkError)) throw err;
      // Not expected from the kernel; whatever it said is unknown now, so read everything again.
      this.options.logger.warn({ err }, 'undecodable rtnetlink datagram; reading every interface again');
      event = { kind: 'resync' };
    }
    this.apply(event);
  }

  private receiveError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOBUFS' || code === 'EMSGSIZE') {
      this.stats.overruns++;
      this.options.logger.warn({ err }, 'the kernel dropped interface events (socket overrun); reading every interface again');
      this.apply({ kind: 'overrun' });
      return;
    }
    this.options.logger.error({ err }, 'receiving interface events failed');
  }

  private apply(event: LinkTableEvent): void {
    if (!this.running) return;
    const { state, actions } = stepLinkTable(this.table, event);
    this.table = state;
    for (const action of actions) this.act(action);
  }

  private act(action: LinkTableAction): void {
    switch (action.kind) {
      case 'dump':
        try {
          this.socket?.send(encodeDumpRequest(action.what, action.seq));
        } catch (err) {
          this.apply({ kind: 'sendFailed', seq: action.seq, reason: (err as Error).message });
        }
        return;
      case 'dumpFailed':
        this.dumpFailed(new Error(`listing every ${action.what === 'links' ? 'link' : 'address'} failed: ${action.reason}`));
        return;
      case 'report':
        this.report(action.links);
        return;
    }
  }

  /** The first failure fails start(); later ones are retried after a while (nothing else would). */
  private dumpFailed(err: Error): void {
    if (this.firstReport !== null) {
      this.firstReport.reject(err);
      this.firstReport = null;
      return;
    }
    this.options.logger.error({ err, retryInMs: this.options.retryMs ?? DEFAULT_RETRY_MS }, 'reading network interfaces failed');
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.apply({ kind: 'resync' });
    }, this.options.retryMs ?? DEFAULT_RETRY_MS);
  }

  private report(links: LinkInfo[]): void {
    this.options.logger.debug({ links: links.map((l) => `${l.name}${l.up ? '' : '(down)'}`) }, 'interfaces changed');
    for (const cb of this.listeners) cb(links);
    this.firstReport?.resolve();
    this.firstReport = null;
  }

  private async startReading(): Promise<void> {
    this.readNow();
    const interval = this.options.intervalMs;
    if (interval !== undefined) this.pollTimer = setInterval(() => this.readNow(), interval);
  }

  private readNow(): void {
    if (!this.running || this.options.read === undefined) return;
    let links: LinkInfo[];
    try {
      links = this.options.read();
    } catch (err) {
      this.options.logger.error({ err }, 'reading network interfaces failed');
      return;
    }
    const key = JSON.stringify(links);
    if (key === this.lastRead) return;
    this.lastRead = key;
    this.report(links);
  }
}
