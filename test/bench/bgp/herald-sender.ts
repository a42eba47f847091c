// Herald's BGP speaker side of the BGP benchmarks, run as its own process in a node's namespace:
//   node --import tsx herald-sender.ts --asn N --count N --session LOCAL,PEER [--session LOCAL,PEER ...]
// One BgpPeer (speaker/bgp/driver, the code the speaker binary runs for every peer) per --session, each
// connecting from LOCAL to PEER in AS --asn (iBGP) and announcing the first --count prefixes of
// 198.18.0.0/15 (prefixes.ts) with itself as next hop. The advertisements are set before the sessions start,
// as a speaker that has read its Services does; what happens after Established is the session's own work.
// Not the whole speaker binary: its sources, loop and metrics would put 100 000 Services between the file and
// the session, and the benchmarks measure BGP. Memory is trimmed as the speaker trims it. Prints `ready` once every session has started; runs until killed.
import { parseArgs } from 'node:util';
import { createLogger } from '../../../lib/log.js';
import type { Prefix } from '../../../speaker/bgp/messages/index.js';
import { BgpPeer } from '../../../speaker/bgp/driver/index.js';
import { loadAddon } from '../../../speaker/native/addon.js';
import { MallocTrimmer } from '../../../speaker/native/memory-trim.js';
import { sessionConfig, type Advertisement } from '../../../speaker/bgp/session/index.js';
import { benchPrefixes } from './prefixes.js';

const { values } = parseArgs({
  options: {
    asn: { type: 'string' },
    count: { type: 'string' },
    session: { type: 'string', multiple: true },
  },
});

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`herald-sender: --${name} is required`);
  return value;
}

const asn = Number(required('asn', values.asn));
const count = Number(required('count', values.count));
const sessions = (values.session ?? []).map((pair) => {
  const [local, peer] = pair.split(',');
  if (local === undefined || peer === undefined) throw new Error(`herald-sender: --session "${pair}" is not LOCAL,PEER`);
  return { local, peer };
});
if (sessions.length === 0) throw new Error('herald-sender: at least one --session LOCAL,PEER is required');

const logger = createLogger('bench-sender', 'warn');
const peers = sessions.map(({ local, peer }) => {
  const config = sessionConfig({
    localAsn: asn, routerId: local, peerAsn: { kind: 'fixed', asn }, peerAddress: peer, families: [4],
    // The bench takes the session down between trials: come back within a second, not after a backoff.
    connectRetryMs: 1000, connectRetryMaxMs: 1000,
  });
  const advertisements: Advertisement[] = benchPrefixes(count).map((prefix) => ({ prefix: prefix as Prefix, nextHop: local }));
  const bgp = new BgpPeer({ config, logger, localAddress: local });
  bgp.setAdvertisements(advertisements);
  return bgp;
});
// As speaker/main.ts does: the memory bench reads this process's RSS.
new MallocTrimmer(loadAddon()).start();
for (const bgp of peers) bgp.start();
process.stdout.write('ready\n');
