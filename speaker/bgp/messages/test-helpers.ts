// Test-only: fast-check arbitraries that produce canonical BGP messages (so decode(encode(x)) deep-equals x),
// and an assertion on the NOTIFICATION an input must draw. Not exported from index.ts.
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../lib/ip/index.js';
import { ATTRIBUTE_SPECS } from './attribute-decode.js';
import type { PathAttribute } from './attributes.js';
import type { Capability } from './capabilities.js';
import { CAPABILITY_CODE } from './constants.js';
import { NotificationError, type NotificationMessage } from './errors.js';
import type { KeepaliveMessage } from './message.js';
import type { OpenMessage } from './open.js';
import type { Prefix } from './prefixes.js';
import type { RouteRefreshMessage } from './route-refresh.js';
import type { UpdateMessage } from './update.js';

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

function maskedPrefix(address: Uint8Array, length: number): Uint8Array {
  const masked = Uint8Array.from(address);
  for (let bit = length; bit < masked.length * 8; bit++) masked[bit >> 3] = (masked[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
  return masked;
}

export const arbitraryIPv4Prefix: fc.Arbitrary<Prefix> = fc
  .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }))
  .map(([address, length]) => `${formatIPv4(maskedPrefix(address, length))}/${length}` as Prefix);

export const arbitraryIPv6Prefix: fc.Arbitrary<Prefix> = fc
  .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
  .map(([address, length]) => `${formatIPv6(maskedPrefix(address, length))}/${length}` as Prefix);

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIPv4);
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIPv6);
/** A NEXT_HOP RFC 4271 §6.3 accepts: not 0.0.0.0, not multicast or class E. */
const unicastIPv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.uint8Array({ minLength: 3, maxLength: 3 })).map(([first, rest]) => formatIPv4(Uint8Array.of(first, ...rest)));

const rawCapability: fc.Arbitrary<Capability> = fc
  .record({ code: fc.integer({ min: 0, max: 255 }), value: bytes(8) })
  .filter(({ code }) => !(Object.values(CAPABILITY_CODE) as number[]).includes(code))
  .map(({ code, value }) => ({ kind: 'raw', code, value }));

export const arbitraryCapability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: fc.integer({ min: 0, max: 255 }) }),
  fc.constant({ kind: 'routeRefresh' as const }),
  fc.record({ kind: fc.constant('fourOctetAs' as const), asn: fc.integer({ min: 1, max: 0xffffffff }) }),
  fc.record({
    kind: fc.constant('gracefulRestart' as const),
    restartState: fc.boolean(),
    notification: fc.boolean(),
    restartTimeSeconds: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: fc.integer({ min: 0, max: 255 }), forwardingState: fc.boolean() }), { maxLength: 3 }),
  }),
  rawCapability,
);

export const arbitraryOpen: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant('open' as const),
  myAutonomousSystem: fc.integer({ min: 1, max: 0xffff }),
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpIdentifier: ipv4.filter((id) => id !== '0.0.0.0'),
  capabilities: fc.array(arbitraryCapability, { maxLength: 8 }),
});

const segment = fc.record({ type: fc.integer({ min: 1, max: 4 }), asns: fc.array(u32, { minLength: 1, maxLength: 5 }) });
const rawAttribute: fc.Arbitrary<PathAttribute> = fc
  .record({ flags: fc.integer({ min: 0, max: 0x7f }), typeCode: fc.integer({ min: 0, max: 255 }), value: bytes(40) })
  .filter(({ typeCode }) => !ATTRIBUTE_SPECS.has(typeCode))
  .map(({ flags, typeCode, value }) => ({ kind: 'raw', flags: 0x80 | flags, typeCode, value }));

/** Attributes other than NEXT_HOP and the MP ones, each kind at most once (a repeat would be discarded). */
const optionalAttributes = fc.record({
  med: fc.option(u32.map((med): PathAttribute => ({ kind: 'multiExitDisc', med }))),
  localPref: fc.option(u32.map((localPref): PathAttribute => ({ kind: 'localPref', localPref }))),
  atomic: fc.option(fc.constant<PathAttribute>({ kind: 'atomicAggregate' })),
  aggregator: fc.option(fc.record({ asn: u32, address: ipv4 }).map((a): PathAttribute => ({ kind: 'aggregator', ...a }))),
  communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 8 }).map((communities): PathAttribute => ({ kind: 'communities', communities }))),
  large: fc.option(fc.array(fc.record({ globalAdministrator: u32, localData1: u32, localData2: u32 }), { minLength: 1, maxLength: 4 })
    .map((communities): PathAttribute => ({ kind: 'largeCommunities', communities }))),
  raw: fc.option(rawAttribute),
});

const mpReach = fc.record({ global: ipv6, linkLocal: fc.option(ipv6), nlri: fc.array(arbitraryIPv6Prefix, { maxLength: 10 }) })
  .map(({ global, linkLocal, nlri }): PathAttribute => ({ kind: 'mpReachNlri', afi: 2, safi: 1, nextHop: { global, linkLocal }, nlri }));
const mpUnreach = fc.array(arbitraryIPv6Prefix, { maxLength: 10 })
  .map((withdrawn): PathAttribute => ({ kind: 'mpUnreachNlri', afi: 2, safi: 1, withdrawn }));

/** A well-formed UPDATE: ORIGIN, AS_PATH and NEXT_HOP always present, so any NLRI is acceptable. */
export const arbitraryUpdate: fc.Arbitrary<UpdateMessage> = fc
  .record({
    withdrawnRoutes: fc.array(arbitraryIPv4Prefix, { maxLength: 10 }),
    nlri: fc.array(arbitraryIPv4Prefix, { maxLength: 10 }),
    origin: fc.integer({ min: 0, max: 2 }),
    segments: fc.array(segment, { maxLength: 3 }),
    nextHop: unicastIPv4,
    optional: optionalAttributes,
    mpReach: fc.option(mpReach),
    mpUnreach: fc.option(mpUnreach),
  })
  .chain(({ withdrawnRoutes, nlri, origin, segments, nextHop, optional, mpReach, mpUnreach }) => {
    const attributes: PathAttribute[] = [
      { kind: 'origin', origin },
      { kind: 'asPath', segments },
      { kind: 'nextHop', nextHop },
      ...[...Object.values(optional), mpReach, mpUnreach].filter((a): a is PathAttribute => a !== null),
    ];
    return fc.shuffledSubarray(attributes, { minLength: attributes.length })
      .map((pathAttributes): UpdateMessage => ({ type: 'update', withdrawnRoutes, pathAttributes, nlri }));
  });

export const arbitraryNotification: fc.Arbitrary<NotificationMessage> = fc.record({
  type: fc.constant('notification' as const),
  code: fc.integer({ min: 0, max: 255 }),
  subcode: fc.integer({ min: 0, max: 255 }),
  data: bytes(60),
});

export const arbitraryRouteRefresh: fc.Arbitrary<RouteRefreshMessage> = fc.record({
  type: fc.constant('routeRefresh' as const), afi: u16, subtype: fc.integer({ min: 0, max: 255 }), safi: fc.integer({ min: 0, max: 255 }),
});

export const arbitraryMessage = fc.oneof(
  arbitraryOpen,
  arbitraryUpdate,
  arbitraryNotification,
  arbitraryRouteRefresh,
  fc.constant<KeepaliveMessage>({ type: 'keepalive' }),
);

/** The same bytes as a view `offset` bytes into a larger buffer with garbage around them. */
export function withinLargerBuffer(data: Uint8Array, offset: number): Uint8Array {
  const larger = new Uint8Array(offset + data.length + 7).fill(0xa5);
  larger.set(data, offset);
  return larger.subarray(offset, offset + data.length);
}

/** Runs `decode` and returns the NotificationError it throws; fails if it throws anything else or nothing. */
export function notificationFrom(decode: () => unknown): NotificationError {
  let thrown: unknown = null;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(NotificationError);
  return thrown as NotificationError;
}
