// Reading an import's timeline from the receiving BIRD itself (bgp-lab.ts `msTimes`): the moment its protocol
// for the sender went up (Established, `show protocols`) and the moment each route entered its table (the
// route's time in `show route`, BIRD's `lastmod`). Both come from BIRD's own clock, to the millisecond, so the
// figures carry no polling interval and no birdc round trip; polling only says when the count is complete.
import { birdc, type BirdInstance } from '../../lab/bgp-lab.js';
import { sleep } from '../../lab/exec.js';
import { percentile } from '../figure.js';

/** BIRD's `iso long ms` time, "2026-12-04 15:40:01.123", as ms (local time: only differences are used). */
const BIRD_TIME = '(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3})';

function birdTimeMs(text: string): number {
  const ms = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new Error(`not a BIRD time: "${text}"`);
  return ms;
}

/** When `protocol` last went up, from `show protocols PROTOCOL`; throws unless it is up and Established. */
export function establishedAtMs(showProtocols: string, protocol: string): number {
  const m = new RegExp(`^${protocol}\\s+BGP\\s+\\S+\\s+up\\s+${BIRD_TIME}\\s+Established`, 'm').exec(showProtocols);
  if (m?.[1] === undefined) throw new Error(`BIRD's ${protocol} is not up and Established:\n${showProtocols}`);
  return birdTimeMs(m[1]);
}

/** Each route's time in `show route protocol PROTOCOL` output, as ms. */
export function routeTimesMs(showRoute: string, protocol: string): number[] {
  return [...showRoute.matchAll(new RegExp(`\\[${protocol} ${BIRD_TIME}\\]`, 'g'))].map((m) => birdTimeMs(m[1] ?? ''));
}

/** Routes from `protocol` in BIRD's tables (`show route protocol P count`: one line per table, then a total). */
export function parseRouteCount(out: string): number {
  return [...out.matchAll(/^(\d+) of \d+ routes for \d+ networks in table /gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function routeCount(protocol: string, instance?: BirdInstance): Promise<number> {
  return parseRouteCount(await birdc(['show', 'route', 'protocol', protocol, 'count'], instance));
}

export async function waitForRouteCount(protocol: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let n = await routeCount(protocol); n !== count; n = await routeCount(protocol)) {
    if (performance.now() > deadline) throw new Error(`BIRD holds ${n} routes from ${protocol} after ${timeoutMs} ms, expected ${count}`);
    await sleep(50);
  }
}

/** One import: from Established to the median, the 99th percentile and the last route, in ms. */
export interface ImportTimes {
  p50: number;
  p99: number;
  all: number;
}

/** The import timeline of `protocol`'s current session, once its `count` routes are all in. */
export async function importTimes(protocol: string, count: number): Promise<ImportTimes> {
  const establishedMs = establishedAtMs(await birdc(['show', 'protocols', protocol]), protocol);
  const times = routeTimesMs(await birdc(['show', 'route', 'protocol', protocol]), protocol);
  if (times.length !== count) throw new Error(`BIRD listed ${times.length} routes from ${protocol}, expected ${count}`);
  const delays = times.map((t) => t - establishedMs);
  return { p50: percentile(delays, 50), p99: percentile(delays, 99), all: percentile(delays, 100) };
}
