// A scripted BGP peer for the lab: bgp-wire-peer.ts listens inside the router's namespace and relays raw octets;
// this side scripts them. Every message is written here as hex, byte by byte, never through Herald's own codec
// (speaker/bgp/messages/), so that what the speaker is judged against is not the code under test. The peer can
// say things no real router would (a bad marker, a length of 4097, an attribute that claims to be well-known),
// which is what it is for: bgp-misbehaving.lab.test.ts.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from './lab.js';
import { killProc, spawnIn, type Spawned } from './exec.js';
import { nsOf } from './topology.js';

/** IANA "BGP Message Types". */
export const TYPE = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;
export const MARKER = 'ff'.repeat(16);

export type PeerEvent =
  | { event: 'listening' }
  | { event: 'accept'; remote: string; t: number }
  | { event: 'message'; hex: string; t: number }
  | { event: 'written'; octets: number; t: number }
  | { event: 'close'; t: number };

const hex = (value: number, octets: number): string => value.toString(16).padStart(octets * 2, '0');

/** A whole message: the all-ones marker, Length (19 + body) and Type, then the body (RFC 4271 §4.1). */
export function message(type: number, bodyHex: string): string {
  return `${MARKER}${hex(19 + bodyHex.length / 2, 2)}${hex(type, 1)}${bodyHex}`;
}

export const KEEPALIVE = message(TYPE.KEEPALIVE, '');

/** A NOTIFICATION (RFC 4271 §4.5): code, subcode, data. */
export function notification(code: number, subcode: number, dataHex = ''): string {
  return message(TYPE.NOTIFICATION, `${hex(code, 1)}${hex(subcode, 1)}${dataHex}`);
}

/** One path attribute: flags, type, then a 1-octet length (a 2-octet one when flags has Extended Length, 0x10). */
export function attribute(flags: number, typeCode: number, valueHex: string): string {
  const length = valueHex.length / 2;
  return `${hex(flags, 1)}${hex(typeCode, 1)}${hex(length, flags & 0x10 ? 2 : 1)}${valueHex}`;
}

/** An UPDATE (RFC 4271 §4.3) from its three fields, each already hex. */
export function update(withdrawnHex: string, attributesHex: string, nlriHex: string): string {
  return message(TYPE.UPDATE, `${hex(withdrawnHex.length / 2, 2)}${withdrawnHex}${hex(attributesHex.length / 2, 2)}${attributesHex}${nlriHex}`);
}

/** A ROUTE-REFRESH (RFC 2918 §3) for AFI/SAFI. */
export function routeRefresh(afi: number, safi: number): string {
  return message(TYPE.ROUTE_REFRESH, `${hex(afi, 2)}00${hex(safi, 1)}`);
}

export interface OpenSpec {
  /** The peer's AS (4 octets in the capability; AS_TRANS in My AS when it does not fit 2). */
  asn: number;
  holdTimeSeconds: number;
  /** The BGP Identifier, as an IPv4 address. */
  identifier: string;
}

/**
 * An OPEN (RFC 4271 §4.2) with one Capabilities parameter (RFC 5492): Multiprotocol IPv4 and IPv6 unicast
 * (RFC 4760), Route Refresh (RFC 2918) and the 4-octet AS (RFC 6793).
 */
export function open(spec: OpenSpec): string {
  // Each capability: code, length, value. Multiprotocol's value is AFI (2), reserved (1), SAFI (1).
  const capabilityHex = ['01' + '04' + '0001' + '00' + '01', '01' + '04' + '0002' + '00' + '01', '02' + '00', `41` + '04' + hex(spec.asn, 4)].join('');
  const parameter = `02${hex(capabilityHex.length / 2, 1)}${capabilityHex}`;
  const myAs = spec.asn > 0xffff ? 23456 : spec.asn;
  const identifier = spec.identifier.split('.').map((o) => hex(Number(o), 1)).join('');
  return message(TYPE.OPEN, `04${hex(myAs, 2)}${hex(spec.holdTimeSeconds, 2)}${identifier}${hex(parameter.length / 2, 1)}${parameter}`);
}

/** The Type octet of a message given as hex. */
export function typeOf(messageHex: string): number {
  return parseInt(messageHex.slice(36, 38), 16);
}

/** A received NOTIFICATION's fields, or null if the message is not one. */
export function decodeNotification(messageHex: string): { code: number; subcode: number; data: string } | null {
  if (typeOf(messageHex) !== TYPE.NOTIFICATION) return null;
  return { code: parseInt(messageHex.slice(38, 40), 16), subcode: parseInt(messageHex.slice(40, 42), 16), data: messageHex.slice(42) };
}

const WIRE_PEER = join(REPO_ROOT, 'test', 'lab', 'bgp-wire-peer.ts');

/** The peer's process, and every event it reported, in order; `cursor` marks what the script has consumed. */
export class ScriptedPeer {
  readonly events: PeerEvent[] = [];
  private cursor = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly spawned: Spawned) {
    const stdout = spawned.child.stdout;
    if (stdout === null) throw new Error('scripted peer: no stdout pipe');
    createInterface({ input: stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as PeerEvent);
      for (const wake of this.waiters) wake();
    });
  }

  /** Listens on address:port in the router's namespace; resolves once it does. */
  static async start(address: string, port: number): Promise<ScriptedPeer> {
    const spawned = spawnIn(nsOf('router'), [process.execPath, WIRE_PEER, address, String(port)],
      { role: 'scripted-peer', pipeStdout: true, pipeStdin: true }); // Node strips the types itself
    const peer = new ScriptedPeer(spawned);
    await peer.next('the peer listening', (e) => e.event === 'listening', 20_000);
    return peer;
  }

  /**
   * The next event (after those already consumed) that `match` accepts; the ones before it are consumed too
   * (a KEEPALIVE the script did not ask about, say). Rejects after timeoutMs, quoting what did arrive.
   */
  async next(what: string, match: (e: PeerEvent) => boolean, timeoutMs: number): Promise<PeerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.events.length) {
        const event = this.events[this.cursor++];
        if (event !== undefined && match(event)) return event;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`scripted peer: no ${what} within ${timeoutMs} ms; last events: ${JSON.stringify(this.events.slice(-5)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** The next message of `type` from the speaker. */
  async nextMessage(type: number, timeoutMs: number): Promise<{ hex: string; t: number }> {
    const event = await this.next(`message of type ${type}`, (e) => e.event === 'message' && typeOf(e.hex) === type, timeoutMs);
    if (event.event !== 'message') throw new Error('unreachable');
    return event;
  }

  /** Where the script stands: everything before is consumed, and events from here on are what `since` returns. */
  mark(): number {
    this.cursor = this.events.length;
    return this.cursor;
  }

  since(mark: number): PeerEvent[] {
    return this.events.slice(mark);
  }

  send(messageHex: string): void {
    this.command({ send: messageHex });
  }

  /** Ends the connection from the peer's side (FIN). */
  close(): void {
    this.command({ close: true });
  }

  /**
   * Takes the speaker's next connection to Established: its OPEN, then ours and a KEEPALIVE, then its first
   * UPDATE (its routes or its End-of-RIB), which it sends only once Established. From then on the peer sends a
   * KEEPALIVE every third of its hold time on that connection, so that only what the script sends can end it.
   * Returns the speaker's OPEN.
   */
  async establish(spec: OpenSpec, timeoutMs = 30_000): Promise<string> {
    await this.next('a connection from the speaker', (e) => e.event === 'accept', timeoutMs);
    const theirs = await this.nextMessage(TYPE.OPEN, 10_000);
    this.command({ send: open(spec) + KEEPALIVE, keepalive: Math.max(1, Math.floor(spec.holdTimeSeconds / 3)) });
    await this.nextMessage(TYPE.UPDATE, 10_000);
    return theirs.hex;
  }

  async stop(): Promise<void> {
    this.spawned.child.stdin?.end();
    await killProc(this.spawned.record, 'SIGTERM', 3000);
  }

  private command(command: Record<string, unknown>): void {
    const stdin = this.spawned.child.stdin;
    if (stdin === null) throw new Error('scripted peer: no stdin pipe');
    stdin.write(`${JSON.stringify(command)}\n`);
  }
}
