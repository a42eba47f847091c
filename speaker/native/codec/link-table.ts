// The node's links and addresses as rtnetlink tells them: a dump of both when the watcher starts, then
// every change as the kernel sends it. Pure (STYLE.md §10): step(state, event) → { state, actions }; the
// driver (speaker/layer2/interface-watcher.ts) owns the socket, sends the dumps the actions ask for and
// hands on the reports.
//
// Ordering: the kernel queues dump chunks and events on the one socket in the order it produced them, and
// a chunk is produced when we read, so applying messages in arrival order converges on the kernel's state.
// A dump the kernel marks NLM_F_DUMP_INTR (the tables changed between two chunks) is read again, as is
// everything after an overrun (ENOBUFS: events were dropped). While a read-everything is in flight no
// report goes out, so the speaker never sees a half-read picture (links without their addresses).
import type { InterfaceAddress, LinkInfo } from '../../layer2/decide/interfaces.js';
import { formatIPv4, formatIPv6 } from '../../../lib/ip/index.js';
import { formatMac } from '../../layer2/frames/addresses.js';
import {
  addressFields,
  AF,
  ARPHRD_ETHER,
  type AddressMessage,
  type DumpKind,
  IF_OPER,
  IFF,
  type LinkMessage,
  linkFields,
  NLM_F,
  RTM,
  type RtnetlinkMessage,
} from './rtnetlink.js';

/** One link as LinkInfo has it, without its addresses (they arrive in their own messages). */
type LinkRecord = Omit<LinkInfo, 'addresses'>;

export interface LinkTableState {
  links: ReadonlyMap<number, LinkRecord>;
  /** By ifindex, then by "address/prefix". */
  addresses: ReadonlyMap<number, ReadonlyMap<string, InterfaceAddress>>;
  /** The dump in flight, or null. `interrupted`: a chunk carried NLM_F_DUMP_INTR. */
  dump: { what: DumpKind; seq: number; interrupted: boolean } | null;
  /** The tables hold a whole picture: a read-everything finished and none started since. */
  complete: boolean;
  /** Read everything again once the dump in flight is done (the kernel runs one dump per socket at a time). */
  resyncOwed: boolean;
  nextSeq: number;
  /** The last snapshot reported, as compared: a change is reported only when the link set differs. */
  lastReported: string | null;
}

export type LinkTableEvent =
  /** The socket is open and subscribed: read everything. */
  | { kind: 'start' }
  /** One datagram's messages, in order. */
  | { kind: 'messages'; messages: readonly RtnetlinkMessage[] }
  /** The socket overran (ENOBUFS): events were lost, read everything again. */
  | { kind: 'overrun' }
  /** Read everything again (a caller's refresh, a retry after a failed dump). */
  | { kind: 'resync' }
  /** The dump request `seq` could not be sent: the dump will never run. */
  | { kind: 'sendFailed'; seq: number; reason: string };

export type LinkTableAction =
  | { kind: 'dump'; what: DumpKind; seq: number }
  | { kind: 'report'; links: LinkInfo[] }
  /** A dump did not run (the kernel refused it, or it could not be sent); the driver retries later with a 'resync'. */
  | { kind: 'dumpFailed'; what: DumpKind; reason: string };

export function initialLinkTable(): LinkTableState {
  return { links: new Map(), addresses: new Map(), dump: null, complete: false, resyncOwed: false, nextSeq: 1, lastReported: null };
}

/** The tables as one event may change them: copies, so the previous state stays as it was. */
interface Working {
  links: Map<number, LinkRecord>;
  addresses: Map<number, ReadonlyMap<string, InterfaceAddress>>;
  dump: LinkTableState['dump'];
  complete: boolean;
  resyncOwed: boolean;
  nextSeq: number;
  /** A message changed what a snapshot would say (most events of a busy node change nothing it shows). */
  changed: boolean;
  actions: LinkTableAction[];
}

export function stepLinkTable(state: LinkTableState, event: LinkTableEvent): { state: LinkTableState; actions: LinkTableAction[] } {
  const w: Working = {
    links: new Map(state.links),
    addresses: new Map(state.addresses),
    dump: state.dump === null ? null : { ...state.dump },
    complete: state.complete,
    resyncOwed: state.resyncOwed,
    nextSeq: state.nextSeq,
    changed: false,
    actions: [],
  };
  if (event.kind === 'messages') {
    for (const message of event.messages) applyMessage(w, message);
  } else if (event.kind === 'sendFailed') {
    if (w.dump !== null && w.dump.seq === event.seq) failDump(w, event.reason);
  } else {
    resync(w);
  }
  let lastReported = state.lastReported;
  // A snapshot is built (300 links: about a millisecond) only when something it shows may have changed.
  const completed = w.complete && !state.complete;
  if (w.complete && w.dump === null && (w.changed || completed)) {
    const links = snapshot(w.links, w.addresses);
    const key = JSON.stringify(links);
    if (key !== lastReported) {
      lastReported = key;
      w.actions.push({ kind: 'report', links });
    }
  }
  const { actions, changed: _changed, ...rest } = w;
  return { state: { ...rest, lastReported }, actions };
}

/** Forget everything and dump links, then addresses; if a dump is running, do so once it ends. */
function resync(w: Working): void {
  if (w.dump !== null) {
    w.resyncOwed = true;
    return;
  }
  w.resyncOwed = false;
  w.complete = false;
  w.links.clear();
  w.addresses.clear();
  startDump(w, 'links');
}

function startDump(w: Working, what: DumpKind): void {
  const seq = w.nextSeq;
  w.nextSeq = seq >= 0xffffffff ? 1 : seq + 1;
  w.dump = { what, seq, interrupted: false };
  w.actions.push({ kind: 'dump', what, seq });
}

function applyMessage(w: Working, message: RtnetlinkMessage): void {
  const dump = w.dump;
  // Dump messages carry our request's seq and NLM_F_MULTI; an event carries the seq of whoever caused it
  // (`ip` uses the time), never NLM_F_MULTI, so a coincidence of numbers cannot end our dump.
  const ofDump = dump !== null && message.header.seq === dump.seq && (message.header.flags & NLM_F.MULTI) !== 0;
  if (ofDump && (message.header.flags & NLM_F.DUMP_INTR) !== 0) dump.interrupted = true;
  switch (message.kind) {
    case 'link':
      applyLink(w, message);
      return;
    case 'address':
      applyAddress(w, message);
      return;
    case 'done':
      if (ofDump) dumpDone(w, dump);
      return;
    case 'error':
      // errno 0 is an acknowledgement; an error for our dump request means the dump never ran.
      if (dump !== null && message.request.seq === dump.seq && message.errno !== 0) failDump(w, `errno ${message.errno}`);
      return;
    case 'other':
      return;
  }
}

/** The tables stay incomplete (no report) until a retried read-everything finishes. */
function failDump(w: Working, reason: string): void {
  const what = w.dump?.what ?? 'links';
  w.dump = null;
  w.resyncOwed = false;
  w.complete = false;
  w.actions.push({ kind: 'dumpFailed', what, reason });
}

function dumpDone(w: Working, dump: { what: DumpKind; interrupted: boolean }): void {
  w.dump = null;
  if (dump.interrupted || w.resyncOwed) {
    resync(w);
    return;
  }
  if (dump.what === 'links') startDump(w, 'addresses');
  else w.complete = true;
}

function applyLink(w: Working, message: LinkMessage): void {
  // AF_BRIDGE messages are news about a bridge port (and DELLINK there means "left the bridge"), not
  // about the link itself, which has its own AF_UNSPEC message.
  if (message.family !== AF.UNSPEC) return;
  if (message.header.type === RTM.DELLINK) {
    w.changed ||= w.links.delete(message.index);
    w.addresses.delete(message.index);
    return;
  }
  const record = linkRecord(message);
  if (record === null) return;
  const previous = w.links.get(message.index);
  if (previous !== undefined && sameRecord(previous, record)) return;
  w.links.set(message.index, record);
  w.changed = true;
}

function sameRecord(a: LinkRecord, b: LinkRecord): boolean {
  return a.name === b.name && a.index === b.index && a.mac === b.mac && a.up === b.up && a.hasMaster === b.hasMaster
    && a.noArp === b.noArp && a.carrierUps === b.carrierUps;
}

/** LinkInfo's view of one RTM_NEWLINK, or null when it names no interface. */
export function linkRecord(message: LinkMessage): LinkRecord | null {
  const fields = linkFields(message);
  if (fields.name === undefined) return null;
  // Only Ethernet links can carry ARP/NDP frames as Herald builds them.
  const mac = message.linkType === ARPHRD_ETHER && fields.address?.length === 6 ? formatMac(fields.address) : '';
  // Carrier as sysfs operstate "up" or "unknown" (dummy and some virtual links); IFF_RUNNING says the same
  // where a kernel sends no IFLA_OPERSTATE.
  const operational = fields.operstate === undefined
    ? (message.flags & IFF.RUNNING) !== 0
    : fields.operstate === IF_OPER.UP || fields.operstate === IF_OPER.UNKNOWN;
  return {
    name: fields.name,
    index: message.index,
    mac,
    up: (message.flags & IFF.UP) !== 0 && operational,
    hasMaster: (fields.master ?? 0) !== 0,
    noArp: (message.flags & IFF.NOARP) !== 0,
    ...(fields.carrierUpCount !== undefined && { carrierUps: fields.carrierUpCount }),
  };
}

function applyAddress(w: Working, message: AddressMessage): void {
  const address = interfaceAddress(message);
  if (address === null) return;
  const key = `${address.address}/${address.prefixLength}`;
  const previous = w.addresses.get(message.index);
  if (message.header.type === RTM.DELADDR) {
    if (previous === undefined || !previous.has(key)) return;
    const next = new Map(previous);
    next.delete(key);
    if (next.size === 0) w.addresses.delete(message.index);
    else w.addresses.set(message.index, next);
    w.changed = true;
    return;
  }
  if (previous?.has(key) === true) return; // a flag or lifetime changed: nothing LinkInfo shows
  w.addresses.set(message.index, new Map(previous).set(key, address));
  w.changed = true;
}

/** The address of one RTM_NEWADDR/RTM_DELADDR, or null for a family or size the speaker has no use for. */
export function interfaceAddress(message: AddressMessage): InterfaceAddress | null {
  const { local } = addressFields(message);
  if (local === undefined) return null;
  if (message.family === AF.INET && local.length === 4) return { address: formatIPv4(local), prefixLength: message.prefixLength };
  if (message.family === AF.INET6 && local.length === 16) return { address: formatIPv6(local), prefixLength: message.prefixLength };
  return null;
}

/** Every link sorted by name, each with its addresses (IPv4 first, then by text): the same set, the same JSON. */
function snapshot(links: ReadonlyMap<number, LinkRecord>, addresses: ReadonlyMap<number, ReadonlyMap<string, InterfaceAddress>>): LinkInfo[] {
  const out: LinkInfo[] = [];
  for (const record of links.values()) {
    const own = [...(addresses.get(record.index)?.values() ?? [])].sort(compareAddresses);
    const { carrierUps, ...rest } = record;
    out.push({ ...rest, addresses: own, ...(carrierUps !== undefined && { carrierUps }) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));
}

function compareAddresses(a: InterfaceAddress, b: InterfaceAddress): number {
  const fa = a.address.includes(':') ? 6 : 4;
  const fb = b.address.includes(':') ? 6 : 4;
  if (fa !== fb) return fa - fb;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}
