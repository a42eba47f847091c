// BGP mode's driver (a port of the speaker loop, like layer2/driver.ts): makes the BGP part of the loop's plan
// true. One session driver (driver/peer.ts) per planned peer, created when the peer appears, replaced when its
// session settings change, stopped with a Cease when it leaves the plan; each is told what its peer should have
// (setAdvertisements: the session sends only the difference). Peers marked passive are listened for on one
// shared listener. Only the loop calls it, one pass at a time.
//
// Each session is opened with its peer's transport (transport.ts: TCP MD5 key, TTL, GTSM's minimum), and a peer
// that names a BFD profile gets a BFD session beside it (bfd-guard.ts): when that BFD session leaves Up, the
// peer's BGP sessions go down at once and restart with backoff.
//
// Graceful restart (RFC 4724, for peers with enableGracefulRestart): the speaker cannot tell a SIGTERM that
// precedes its own restart (a rolling update) from one that precedes its removal, and neither can FRR or GoBGP,
// which MetalLB relies on: stopping the process is always a planned restart, closing each session without a
// NOTIFICATION where both sides negotiated graceful restart, so the router keeps our routes as stale for the
// restart time while the node's kernel goes on forwarding. Each peer's first session in a process opens with the
// R bit set (the process may be the restart of one that held it; on a true first start R only tells the router
// not to wait for our End-of-RIB before sending its routes, which Herald drops anyway). A peer that leaves the
// configuration, or whose settings change, is removed for good: a Cease, the router withdraws at once, and the
// session opened for it afterwards is no restart. An uninstall that deletes the BGPPeers first withdraws at
// once too; one that only deletes the DaemonSet leaves stale routes for up to the restart time.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { BfdGuard, type BfdWanted } from './bfd-guard.js';
import { BGP_PORT, BgpListener, BgpPeer, type Connector, type PeerStatus } from './driver/index.js';
import type { BgpPeerPlan, BgpPlan } from './plan.js';
import { DEFAULT_CONNECT_RETRY_MAX_MS, DEFAULT_GRACEFUL_RESTART_TIME_SECONDS, sessionConfig, type Advertisement, type SessionConfig } from './session/index.js';
import { peerTransport, type PeerTransport } from './transport.js';

export interface BgpModeDriverOptions {
  logger: Logger;
  clock?: Clock;
  connector?: Connector;
  /** Where passive peers are listened for (BGP's port 179 unless told). */
  listenPort?: number;
  /** BFD's Control port (3784 unless told; tests use another). */
  bfdControlPort?: number;
}

/** A peer's session status with its BFD session's, for status, metrics and logs. */
export interface BgpPeerStatus extends PeerStatus {
  /** The peer's name in the configuration (a BGPPeer's metadata.name); `peer` is its address. */
  name: string;
  /** The BFD session beside it (null: the peer names no BFD profile, or BFD could not start). */
  bfd: { state: string; diagnostic: string } | null;
}

interface Held {
  /** The session settings the peer was built with: a change means a new session. */
  settings: string;
  peer: BgpPeer;
  /** The advertisements last handed to it, as text, so an unchanged plan costs nothing. */
  advertised: string;
  /** A BFD session guards it. */
  bfd: boolean;
  /** The IPs the last plan gave the peer (plan.ips), for announcedIps(). */
  ips: readonly string[];
}

export class BgpModeDriver {
  private readonly held = new Map<string, Held>();
  private listener: BgpListener | null = null;
  /** What was last logged about skipped IPs and unusable peers, so each change is logged once. */
  private lastProblems = '';
  private readonly bfd: BfdGuard;
  /** Peers a session was opened for in this process: only the first one may replace a stopped process's (R). */
  private readonly opened = new Set<string>();
  /** Peers of the last plan this node cannot hold a session with: reported Idle, with why, beside the held ones. */
  private unusable: BgpPlan['unusable'] = [];
  /** UPDATEs sent by the sessions a peer had before its current one (replaced or stopped), so its count only grows. */
  private readonly retiredUpdates = new Map<string, number>();

  constructor(private readonly options: BgpModeDriverOptions) {
    this.bfd = new BfdGuard({
      logger: options.logger, clock: options.clock, controlPort: options.bfdControlPort,
      onDown: (peerAddress, detail) => this.bfdDown(peerAddress, detail),
    });
  }

  async apply(plan: BgpPlan): Promise<void> {
    this.logProblems(plan);
    this.unusable = plan.unusable;
    const wanted = new Set(plan.peers.map((p) => p.peer.name));
    for (const [name, held] of this.held) {
      if (!wanted.has(name)) await this.drop(name, held, 'the peer left the configuration');
    }
    for (const peerPlan of plan.peers) await this.reconcile(peerPlan);
  }

  /**
   * The speaker is stopping: a planned restart. Sessions with graceful restart negotiated close without a
   * NOTIFICATION (the peers keep our routes as stale); every other one ends with a Cease (Administrative
   * Shutdown) and its peer withdraws our routes at once.
   */
  async stop(): Promise<void> {
    await Promise.all([...this.held].map(([name, held]) => this.drop(name, held, 'the speaker is stopping', { graceful: true })));
    await this.bfd.close();
    await this.listener?.stop();
    this.listener = null;
  }

  /** The port passive peers are listened for on, once one is configured (the chosen one when listenPort was 0). */
  get listeningPort(): number | null {
    return this.listener?.port ?? null;
  }

  /** Every peer of the last plan: the sessions held, and the unusable peers as Idle with why (lastDown "unusable"). */
  statuses(): BgpPeerStatus[] {
    const held = [...this.held].map(([name, h]): BgpPeerStatus => {
      const view = h.bfd ? this.bfd.view(h.peer.address) : undefined;
      const status = h.peer.status();
      const updatesSent = status.updatesSent + (this.retiredUpdates.get(name) ?? 0);
      return { ...status, updatesSent, name, bfd: view === undefined ? null : { state: view.state, diagnostic: view.diagnostic } };
    });
    const unusable = this.unusable.map((u): BgpPeerStatus => ({
      name: u.peer, peer: u.address, fsm: 'Idle', advertised: 0, negotiated: null, establishedCount: 0, bfd: null, updatesSent: this.retiredUpdates.get(u.peer) ?? 0,
      lastDown: { reason: 'unusable', detail: u.why, notification: null },
    }));
    return [...held, ...unusable];
  }

  /** The IPs handed to at least one peer whose session is Established: what this node announces by BGP (metrics.ts). */
  announcedIps(): Set<string> {
    const ips = new Set<string>();
    for (const held of this.held.values()) {
      if (held.peer.status().fsm === 'Established') for (const ip of held.ips) ips.add(ip);
    }
    return ips;
  }

  private async reconcile(plan: BgpPeerPlan): Promise<void> {
    const config = sessionConfigOf(plan, !this.opened.has(plan.peer.name));
    const transport = peerTransport(plan.peer);
    const settings = JSON.stringify({ ...config, seed: 0, restarted: false, sourceAddress: plan.peer.sourceAddress, transport });
    let held = this.held.get(plan.peer.name);
    if (held !== undefined && held.settings !== settings) {
      await this.drop(plan.peer.name, held, 'its session settings changed');
      held = undefined;
    }
    if (held === undefined) held = await this.open(plan, config, settings, transport);
    const bfd = bfdWanted(plan);
    held.bfd = bfd !== null;
    await this.bfd.set(plan.peer.name, bfd);
    held.ips = plan.ips;
    const advertised = JSON.stringify(plan.advertisements);
    if (advertised === held.advertised) return;
    held.advertised = advertised;
    held.peer.setAdvertisements(plan.advertisements as readonly Advertisement[]);
    this.options.logger.info({ peer: plan.peer.name, prefixes: plan.advertisements.map((a) => a.prefix) }, 'BGP advertisements set');
  }

  private async open(plan: BgpPeerPlan, config: SessionConfig, settings: string, transport: PeerTransport): Promise<Held> {
    const { logger, clock, connector } = this.options;
    const peer = new BgpPeer({ config, logger: logger.child({ bgpPeer: plan.peer.name }), clock, connector, localAddress: plan.peer.sourceAddress, transport });
    if (config.passive) (await this.ensureListener()).register(peer);
    const held: Held = { settings, peer, advertised: '', bfd: false, ips: [] };
    this.held.set(plan.peer.name, held);
    this.opened.add(plan.peer.name);
    logger.info({
      peer: plan.peer.name, address: config.peerAddress, port: config.peerPort, passive: config.passive, routerId: config.routerId,
      md5: transport.md5Key !== undefined, ttl: transport.ttl, minTtl: transport.minTtl, ttlRule: transport.ttlRule,
    }, 'starting BGP session');
    peer.start();
    return held;
  }

  private async drop(name: string, held: Held, why: string, options: { graceful?: boolean } = {}): Promise<void> {
    this.held.delete(name);
    this.listener?.unregister(held.peer);
    this.options.logger.info({ peer: name, why, graceful: options.graceful === true }, 'stopping BGP session');
    await held.peer.stop(options);
    this.retiredUpdates.set(name, (this.retiredUpdates.get(name) ?? 0) + held.peer.status().updatesSent);
    await this.bfd.set(name, null);
  }

  /** RFC 5882 §4.2: the forwarding path to the peer failed; every session with it goes down now. */
  private bfdDown(peerAddress: string, detail: string): void {
    for (const [name, held] of this.held) {
      if (!held.bfd || held.peer.address !== peerAddress) continue;
      this.options.logger.warn({ peer: name, address: peerAddress, detail }, 'BFD says the path to the BGP peer is down: taking the session down');
      held.peer.bfdDown(detail);
    }
  }

  private async ensureListener(): Promise<BgpListener> {
    if (this.listener === null) {
      const listener = new BgpListener({ port: this.options.listenPort ?? BGP_PORT, logger: this.options.logger });
      await listener.start();
      this.listener = listener;
    }
    return this.listener;
  }

  private logProblems(plan: BgpPlan): void {
    const skipped = plan.peers.flatMap((p) => p.skipped.map((s) => ({ peer: p.peer.name, ...s })));
    const noBfd = plan.peers.flatMap((p) => (p.bfd !== undefined && 'problem' in p.bfd ? [{ peer: p.peer.name, why: p.bfd.problem }] : []));
    const text = JSON.stringify([plan.unusable, skipped, noBfd]);
    if (text === this.lastProblems) return;
    this.lastProblems = text;
    for (const u of plan.unusable) this.options.logger.error(u, 'BGP peer unusable on this node');
    for (const s of skipped) this.options.logger.warn(s, 'not advertising to this BGP peer');
    for (const b of noBfd) this.options.logger.error(b, 'BFD cannot run for this BGP peer; its session runs without BFD');
  }
}

/**
 * The session's settings from the plan; the retry jitter's seed is drawn here, where randomness may be read.
 * `restarted`: the process may be a restart of one that held this session (the R bit, RFC 4724 §3).
 */
function sessionConfigOf(plan: BgpPeerPlan, restarted: boolean): SessionConfig {
  const { peer } = plan;
  const gracefulRestart = peer.gracefulRestart === true
    ? { restartTimeSeconds: DEFAULT_GRACEFUL_RESTART_TIME_SECONDS, forwardingPreserved: true }
    : null;
  return sessionConfig({
    gracefulRestart, restarted: gracefulRestart !== null && restarted,
    localAsn: peer.myAsn, routerId: plan.routerId, peerAsn: peer.peerAsn, peerAddress: peer.peerAddress, peerPort: peer.peerPort,
    passive: peer.passive, holdTimeSeconds: peer.holdTimeSeconds, keepaliveTimeSeconds: peer.keepaliveTimeSeconds,
    connectRetryMs: peer.connectTimeSeconds * 1000, connectRetryMaxMs: Math.max(DEFAULT_CONNECT_RETRY_MAX_MS, peer.connectTimeSeconds * 1000),
    seed: randomInt(1, 0x7fffffff),
  });
}

/** The BFD session the plan asks for beside the peer's BGP session, if any. */
function bfdWanted(plan: BgpPeerPlan): BfdWanted | null {
  const { bfd, peer } = plan;
  if (peer.bfd === undefined || bfd === undefined || !('localAddress' in bfd)) return null;
  return { peerAddress: peer.peerAddress, localAddress: bfd.localAddress, profile: peer.bfd };
}
