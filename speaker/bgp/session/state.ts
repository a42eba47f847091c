// The session's state, the events that move it and the actions it asks of its driver (RFC 4271 §8). The
// transitions are in step.ts. Everything here is immutable: step() returns new objects.
import type { Family } from '../../../lib/ip/index.js';
import type { AttributeProblem, BgpMessage, NotificationMessage, OpenMessage, Prefix, RouteRefreshMessage, UpdateDecoding } from '../messages/index.js';
import type { AdvertisementMap, Advertisement } from './adj-rib-out.js';
import type { SessionConfig } from './config.js';
import type { Negotiated } from './negotiate.js';

/** RFC 4271 §8.2.2's six states. */
export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/**
 * RFC 4271 §8.1.1-§8.1.3's timers: ConnectRetryTimer, HoldTimer, KeepaliveTimer, and the optional
 * IdleHoldTimer that holds a failed session in Idle before its automatic restart (the backoff).
 */
export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'idleHold';

/**
 * RFC 4271 §8.1 events, with the RFC's names and numbers. Herald does not use the optional DelayOpen, damping
 * or TCP-validation events (6, 7, 12, 14, 15, 20), nor AutomaticStart from outside (3, 5): an automatic
 * restart is IdleHoldTimer_Expires. AutomaticStop (8) comes from BFD only. Messages come decoded; `received.ts` maps bytes to these events.
 */
export type SessionEvent =
  /** Event 1 (Event 4 when config.passive: ManualStart_with_PassiveTcpEstablishment). */
  | { kind: 'ManualStart' }
  /**
   * Event 2. `graceful`: a planned restart (RFC 4724): where graceful restart was negotiated, close TCP without a
   * NOTIFICATION so the peer keeps our routes for the restart time. `communication`: RFC 9003 shutdown text.
   */
  | { kind: 'ManualStop'; graceful?: boolean; communication?: string }
  /**
   * Event 8, AutomaticStop, raised by BFD (RFC 5882 §4.2): the forwarding path to the peer failed, so the
   * session goes down at once (Cease, BFD Down: RFC 9384) and restarts automatically after the idle hold.
   */
  | { kind: 'AutomaticStop'; cause: 'bfdDown'; detail: string }
  /** Event 9. */
  | { kind: 'ConnectRetryTimer_Expires' }
  /** Event 10. */
  | { kind: 'HoldTimer_Expires' }
  /** Event 11. */
  | { kind: 'KeepaliveTimer_Expires' }
  /** Event 13: the automatic restart (Event 3/5, AutomaticStart) after a failure. */
  | { kind: 'IdleHoldTimer_Expires' }
  /** Event 16: our outgoing connection is up. */
  | { kind: 'Tcp_CR_Acked' }
  /** Event 17: an incoming connection from the peer was accepted. */
  | { kind: 'TcpConnectionConfirmed' }
  /** Event 18. */
  | { kind: 'TcpConnectionFails' }
  /** Event 19 (the codec's own OPEN checks passed). */
  | { kind: 'BGPOpen'; open: OpenMessage }
  /** Event 21: a Message Header Error (RFC 4271 §6.1); `notification` is what to send. */
  | { kind: 'BGPHeaderErr'; notification: NotificationMessage }
  /** Event 22: an OPEN Message Error (RFC 4271 §6.2). */
  | { kind: 'BGPOpenMsgErr'; notification: NotificationMessage }
  /** Event 23: collision detection (collision.ts) chose to close this connection. */
  | { kind: 'OpenCollisionDump' }
  /** Event 24 and Event 25 (a NOTIFICATION whose code is Unsupported Version Number is Event 24). */
  | { kind: 'NotifMsg'; notification: NotificationMessage }
  /** Event 26. */
  | { kind: 'KeepAliveMsg' }
  /** Event 27, with RFC 7606's verdict. */
  | { kind: 'UpdateMsg'; decoding: UpdateDecoding }
  /** Event 28: an UPDATE error that resets the session (RFC 7606 §3, §5.3, §7.11). */
  | { kind: 'UpdateMsgErr'; notification: NotificationMessage }
  /** RFC 2918 §4: the peer asks for our Adj-RIB-Out again. */
  | { kind: 'RouteRefreshMsg'; refresh: RouteRefreshMessage }
  /** Herald's declarative API (STYLE.md §11): what the peer should have. */
  | { kind: 'SetAdvertisements'; advertisements: Iterable<Advertisement> };

export type SessionEventKind = SessionEvent['kind'];

/** Why a session left the states above Idle. */
export type DownReason =
  | 'manualStop'
  | 'gracefulStop'
  | 'connectFailed'
  | 'tcpClosed'
  | 'holdTimerExpired'
  | 'notificationReceived'
  | 'openRejected'
  | 'messageError'
  | 'collision'
  | 'bfdDown'
  | 'fsmError';

export type SessionAction =
  /** Open a TCP connection to the peer. */
  | { kind: 'connect'; address: string; port: number }
  /** Close the TCP connection (after writing what was sent before it). */
  | { kind: 'close' }
  /** Encode with speaker/bgp/messages (the negotiated codec options: codecOptions(state)) and write. */
  | { kind: 'send'; message: BgpMessage }
  /** Already-encoded UPDATEs from the adj-rib-out (packed, adj-rib-out.ts); write them in order. */
  | { kind: 'sendUpdates'; updates: Uint8Array[]; announced: number; withdrawn: number }
  /** (Re)start a timer to fire at `atMs` on the driver's monotonic clock; one per name. */
  | { kind: 'armTimer'; timer: TimerName; atMs: number }
  | { kind: 'cancelTimer'; timer: TimerName }
  | { kind: 'established'; negotiated: Negotiated }
  /**
   * The session went to Idle. `notification`: the last NOTIFICATION sent or received; `restartAtMs`: when the
   * automatic restart happens (null after a ManualStop).
   */
  | {
      kind: 'down';
      reason: DownReason;
      detail: string;
      wasEstablished: boolean;
      notification: { direction: 'sent' | 'received'; message: NotificationMessage } | null;
      restartAtMs: number | null;
    }
  /** A received UPDATE had attributes RFC 7606 discards or treats as withdraw; for the log, the session stays. */
  | { kind: 'updateProblems'; treatAsWithdraw: boolean; problems: AttributeProblem[] }
  /** The peer asked for a family the session did not negotiate (RFC 2918 §4: ignore it). */
  | { kind: 'ignored'; event: SessionEventKind; why: string };

export interface SessionState {
  readonly config: SessionConfig;
  readonly fsm: FsmState;
  /** When each timer fires (ms on the driver's clock), or null when stopped. */
  readonly timers: Readonly<Record<TimerName, number | null>>;
  /** RFC 4271 §8.1.1 ConnectRetryCounter; reset on Established (Herald), drives the retry backoff. */
  readonly connectRetryCounter: number;
  /** Started and not manually stopped: failures restart automatically after the idle hold. */
  readonly started: boolean;
  /** A TCP connection is open (or being opened). */
  readonly connected: boolean;
  /** The next OPEN sets the R bit (RFC 4724 §3); cleared once a session is Established. */
  readonly restarting: boolean;
  /** The peer's OPEN, once accepted (OpenConfirm, Established). */
  readonly negotiated: Negotiated | null;
  /** xorshift32 state for the retry jitter (backoff.ts). */
  readonly random: number;
  /** What the peer should have. */
  readonly desired: AdvertisementMap;
  /** What the peer has been sent in this session (empty outside Established). */
  readonly advertised: AdvertisementMap;
  /** Families whose End-of-RIB went out in this session. */
  readonly endOfRibSent: readonly Family[];
  /** The last NOTIFICATION sent or received, kept for the down action and status. */
  readonly lastNotification: { direction: 'sent' | 'received'; message: NotificationMessage } | null;
}

const NO_TIMERS: Record<TimerName, number | null> = { connectRetry: null, hold: null, keepalive: null, idleHold: null };

/** A stopped session (Idle); nothing happens until ManualStart (STYLE.md §12). */
export function initialState(config: SessionConfig): SessionState {
  return {
    config,
    fsm: 'Idle',
    timers: NO_TIMERS,
    connectRetryCounter: 0,
    started: false,
    connected: false,
    restarting: config.restarted,
    negotiated: null,
    random: config.seed >>> 0 || 1,
    desired: new Map(),
    advertised: new Map(),
    endOfRibSent: [],
    lastNotification: null,
  };
}

/** How the driver encodes and decodes for this session: 4-octet ASes unless the peer lacks them. */
export function codecOptions(state: SessionState): { fourOctetAs: boolean } {
  return { fourOctetAs: state.negotiated?.fourOctetAs ?? true };
}

/** The earliest armed timer, for a driver that keeps one wake-up. */
export function nextTimerMs(state: SessionState): number | null {
  const armed = Object.values(state.timers).filter((at): at is number => at !== null);
  return armed.length === 0 ? null : Math.min(...armed);
}

/** The prefixes the peer has been sent, for status. */
export function advertisedPrefixes(state: SessionState): Prefix[] {
  return [...state.advertised.keys()];
}
