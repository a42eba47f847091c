// BFD beside BGP (RFC 5882): one single-hop BFD session (../bfd/driver) per BGP peer that names a profile, and the
// one rule that joins them: when a BFD session that was Up leaves Up, its BGP sessions go down at once (the mode
// driver feeds them AutomaticStop). A BFD session that never came Up decides nothing: a peer without BFD, or
// with BFD not yet Up, keeps its BGP session.
//
// BFD sessions are per peer address (the BFD driver's key), BGP peers per name: the guard keeps the map and
// creates the BFD driver (and with it the sockets on port 3784) only when the first profile appears.
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { diagnosticName } from '../bfd/protocol/constants.js';
import { BfdDriver, leftUp, type BfdSessionChange, type BfdSessionView } from '../bfd/driver/driver.js';
import type { BfdProfileSpec } from '../source/types.js';

/** What one BGP peer wants of BFD. */
export interface BfdWanted {
  peerAddress: string;
  /** The node's address on the link to the peer, of the peer's family. */
  localAddress: string;
  profile: BfdProfileSpec;
}

export interface BfdGuardOptions {
  logger: Logger;
  clock?: Clock;
  /** BFD's Control port (3784); tests use another. */
  controlPort?: number;
  /** A BFD session that was Up is not any more: take the BGP sessions with `peerAddress` down. */
  onDown: (peerAddress: string, detail: string) => void;
}

/** A BFDProfile's milliseconds as RFC 5880's microseconds. */
export function bfdTimers(profile: BfdProfileSpec): { desiredMinTxInterval: number; requiredMinRxInterval: number; detectMult: number } {
  return { desiredMinTxInterval: profile.transmitIntervalMs * 1000, requiredMinRxInterval: profile.receiveIntervalMs * 1000, detectMult: profile.detectMultiplier };
}

export class BfdGuard {
  private driver: BfdDriver | null = null;
  /** By BGP peer name: what was last set up for it. */
  private readonly wanted = new Map<string, BfdWanted>();

  constructor(private readonly options: BfdGuardOptions) {}

  /** Starts, retimes or ends the BFD session of one BGP peer (null: it has none). Errors are logged, not thrown. */
  async set(peerName: string, want: BfdWanted | null): Promise<void> {
    const before = this.wanted.get(peerName);
    if (JSON.stringify(before) === JSON.stringify(want ?? undefined)) return;
    if (before !== undefined && (want === null || before.peerAddress !== want.peerAddress || before.localAddress !== want.localAddress || before.profile.passive !== want.profile.passive)) {
      this.wanted.delete(peerName);
      await this.release(before.peerAddress);
    }
    if (want === null) return;
    this.wanted.set(peerName, want);
    try {
      await this.ensureDriver().addPeer({ peerAddress: want.peerAddress, localAddress: want.localAddress, timers: bfdTimers(want.profile), passive: want.profile.passive });
    } catch (err) {
      this.wanted.delete(peerName);
      this.options.logger.error({ err, peer: peerName, address: want.peerAddress, local: want.localAddress }, 'could not start BFD for the BGP peer; its session runs without BFD');
    }
  }

  views(): BfdSessionView[] {
    return this.driver?.views() ?? [];
  }

  /** The BFD session with `peerAddress`, if any. */
  view(peerAddress: string): BfdSessionView | undefined {
    return this.views().find((v) => v.peerAddress === peerAddress);
  }

  /** Ends every BFD session with AdminDown (the peers do not take their BGP sessions down for it, RFC 5882 §3.2). */
  async close(): Promise<void> {
    this.wanted.clear();
    await this.driver?.close();
    this.driver = null;
  }

  private ensureDriver(): BfdDriver {
    if (this.driver === null) {
      const { logger, clock, controlPort } = this.options;
      this.driver = new BfdDriver({
        logger: logger.child({ component: 'bfd' }),
        ...(clock === undefined ? {} : { clock }),
        ...(controlPort === undefined ? {} : { controlPort }),
        onChange: (change) => this.changed(change),
      });
    }
    return this.driver;
  }

  private changed(change: BfdSessionChange): void {
    if (!leftUp(change)) return;
    if (this.view(change.peerAddress)?.remoteState === 'AdminDown') {
      // RFC 5882 §3.2: the peer took BFD down on purpose (deconfigured, stopping); the path may well be fine.
      this.options.logger.info({ peer: change.peerAddress }, 'the peer set its BFD session AdminDown; the BGP session stays');
      return;
    }
    this.options.onDown(change.peerAddress, `BFD session went ${change.to} (${diagnosticName(change.diagnostic)})`);
  }

  /** Removes the BFD session with `peerAddress` unless another BGP peer still wants it. */
  private async release(peerAddress: string): Promise<void> {
    if ([...this.wanted.values()].some((w) => w.peerAddress === peerAddress)) return;
    await this.driver?.removePeer(peerAddress);
  }
}
