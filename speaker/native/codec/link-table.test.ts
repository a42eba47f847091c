import type { LinkInfo } from '../../layer2/decide/interfaces.js';
import { initialLinkTable, type LinkTableAction, type LinkTableEvent, type LinkTableState, stepLinkTable } from './link-table.js';
import { capturedDatagram, type RtnetlinkCapture } from './rtnetlink-captures.fixture.js';
import { decodeDatagram, NLM_F, NLMSG, type RtnetlinkMessage } from './rtnetlink.js';

const messages = (name: RtnetlinkCapture): LinkTableEvent => ({ kind: 'messages', messages: decodeDatagram(capturedDatagram(name)) });

/** Feeds events in order; returns the end state and every action, flattened. */
function run(events: readonly LinkTableEvent[], from: LinkTableState = initialLinkTable()): { state: LinkTableState; actions: LinkTableAction[] } {
  let state = from;
  const actions: LinkTableAction[] = [];
  for (const event of events) {
    const result = stepLinkTable(state, event);
    state = result.state;
    actions.push(...result.actions);
  }
  return { state, actions };
}

const reports = (actions: readonly LinkTableAction[]): LinkInfo[][] => actions.flatMap((a) => (a.kind === 'report' ? [a.links] : []));
const dumps = (actions: readonly LinkTableAction[]): string[] => actions.flatMap((a) => (a.kind === 'dump' ? [`${a.what}#${a.seq}`] : []));

/** The captured dumps were answers to seq 7 (links) and 8 (addresses). */
const BEFORE_DUMP: LinkTableState = { ...initialLinkTable(), nextSeq: 7 };
const WHOLE_DUMP: LinkTableEvent[] = [{ kind: 'start' }, messages('linkDump'), messages('linkDumpDone'), messages('addressDump'), messages('addressDumpDone')];

const vips = (v4: boolean): { address: string; prefixLength: number }[] =>
  Array.from({ length: 10 }, (_, i) => (v4 ? { address: `192.0.2.${100 + i}`, prefixLength: 32 } : { address: `2001:db8:1::${100 + i}`, prefixLength: 128 }));

/** What the lab node's dump says, as LinkInfo (sorted by name; IPv4 first, then by text). */
const LAB_NODE: LinkInfo[] = [
  { name: 'eth0', index: 2, mac: '02:00:00:00:00:11', up: true, hasMaster: false, noArp: false,
    addresses: [{ address: '192.0.2.11', prefixLength: 24 }, { address: '2001:db8:1::11', prefixLength: 64 }, { address: 'fe80::ff:fe00:11', prefixLength: 64 }],
    carrierUps: 1 },
  { name: 'lo', index: 1, mac: '', up: true, hasMaster: false, noArp: false,
    addresses: [{ address: '127.0.0.1', prefixLength: 8 }, ...vips(true), ...vips(false), { address: '::1', prefixLength: 128 }].sort((a, b) => {
      const fa = a.address.includes(':') ? 6 : 4;
      const fb = b.address.includes(':') ? 6 : 4;
      return fa !== fb ? fa - fb : a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
    }),
    carrierUps: 0 },
];

describe('the first dump', () => {
  it('asks for links, then addresses, and reports once, with both, after the second NLMSG_DONE', () => {
    let state = BEFORE_DUMP;
    const steps = WHOLE_DUMP.map((event) => {
      const result = stepLinkTable(state, event);
      state = result.state;
      return result.actions;
    });
    expect(steps.map(dumps)).toEqual([['links#7'], [], ['addresses#8'], [], []]);
    expect(steps.slice(0, 4).flatMap((a) => reports(a))).toEqual([]); // never links without their addresses
    const { actions } = run(WHOLE_DUMP, BEFORE_DUMP);
    expect(dumps(actions)).toEqual(['links#7', 'addresses#8']);
    expect(reports(actions)).toEqual([LAB_NODE]);
  });

  it('lets an event with the dump\'s seq but without NLM_F_MULTI (someone else\'s request) not end the dump', () => {
    const done = decodeDatagram(capturedDatagram('linkDumpDone'))[0]!;
    const stranger: RtnetlinkMessage = { ...done, header: { ...done.header, flags: 0 } };
    const { actions } = run([{ kind: 'start' }, messages('linkDump'), { kind: 'messages', messages: [stranger] }], BEFORE_DUMP);
    expect(dumps(actions)).toEqual(['links#7']);
  });
});

describe('events after the dump', () => {
  const synced = run(WHOLE_DUMP, BEFORE_DUMP).state;
  const names = (links: LinkInfo[]): string[] => links.map((l) => `${l.name}${l.up ? '' : '(down)'}${l.hasMaster ? '(enslaved)' : ''}:${l.addresses.length}`);

  it('reports each change of the link set, and only those', () => {
    const story: [RtnetlinkCapture, string[] | null][] = [
      ['newVeth', ['eth0:3', 'hl-dum0(down):0', 'lo:22']],
      ['vethUp', null], // admin up, but no carrier yet: nothing the speaker sees changed
      ['newAddress4', ['eth0:3', 'hl-dum0(down):1', 'lo:22']],
      ['newAddress6', ['eth0:3', 'hl-dum0(down):2', 'lo:22']],
      ['enslaved', ['eth0:3', 'hl-dum0(down)(enslaved):2', 'lo:22']],
      ['bridgePort', null], // AF_BRIDGE: the bridge's news about its port
      ['bridgePortGone', null], // AF_BRIDGE DELLINK: the port left the bridge; the link is still there
      ['released', ['eth0:3', 'hl-dum0(down):2', 'lo:22']],
      ['deletedAddress4', ['eth0:3', 'hl-dum0(down):1', 'lo:22']],
      ['deletedLink', ['eth0:3', 'lo:22']],
    ];
    let state = synced;
    for (const [capture, expected] of story) {
      const result = stepLinkTable(state, messages(capture));
      state = result.state;
      const reported = reports(result.actions).map(names);
      expect({ capture, reported }).toEqual({ capture, reported: expected === null ? [] : [expected] });
    }
  });

  it('reports nothing for an address the kernel re-announces (a flag or lifetime change)', () => {
    const { state } = run([messages('newVeth'), messages('newAddress4')], synced);
    expect(run([messages('newAddress4')], state).actions).toEqual([]);
  });

  it('forgets the addresses of a deleted link, so one re-created under the same index starts bare', () => {
    const { actions } = run([messages('newVeth'), messages('newAddress4'), messages('deletedLink'), messages('newVeth')], synced);
    expect(reports(actions).map(names)).toEqual([
      ['eth0:3', 'hl-dum0(down):0', 'lo:22'], ['eth0:3', 'hl-dum0(down):1', 'lo:22'], ['eth0:3', 'lo:22'], ['eth0:3', 'hl-dum0(down):0', 'lo:22'],
    ]);
  });
});

describe('losing events', () => {
  const synced = run(WHOLE_DUMP, BEFORE_DUMP).state;

  it('an overrun reads everything again and reports nothing when nothing changed', () => {
    const again: LinkTableEvent[] = [{ kind: 'overrun' }, withSeq(messages('linkDump'), 9), withSeq(messages('linkDumpDone'), 9),
      withSeq(messages('addressDump'), 10), withSeq(messages('addressDumpDone'), 10)];
    const { actions, state } = run(again, synced);
    expect(dumps(actions)).toEqual(['links#9', 'addresses#10']);
    expect(reports(actions)).toEqual([]);
    expect(state.complete).toBe(true);
  });

  it('an overrun reports what changed while events were lost, once the re-read is whole', () => {
    const { actions } = run([{ kind: 'overrun' }, withSeq(messages('linkDump'), 9), withSeq(messages('linkDumpDone'), 9),
      withSeq(messages('addressDumpDone'), 10)], synced);
    expect(reports(actions)).toEqual([LAB_NODE.map((l) => ({ ...l, addresses: [] }))]);
  });

  it('an overrun during a dump waits for it to end (one dump per socket), then starts over', () => {
    const { actions } = run([{ kind: 'start' }, messages('linkDump'), { kind: 'overrun' }, messages('linkDumpDone')], BEFORE_DUMP);
    expect(dumps(actions)).toEqual(['links#7', 'links#8']);
    expect(reports(actions)).toEqual([]);
  });

  it('a dump the kernel marks NLM_F_DUMP_INTR is read again', () => {
    const interrupted = withFlags(messages('linkDump'), NLM_F.MULTI | NLM_F.DUMP_INTR);
    const { actions } = run([{ kind: 'start' }, interrupted, messages('linkDumpDone')], BEFORE_DUMP);
    expect(dumps(actions)).toEqual(['links#7', 'links#8']);
  });
});

describe('a dump that does not run', () => {
  it('an NLMSG_ERROR for the request fails it: no report of a half-read table, and a resync starts over', () => {
    const error: RtnetlinkMessage = { kind: 'error', header: { type: NLMSG.ERROR, flags: 0, seq: 7, pid: 0 }, errno: 16,
      request: { type: 18, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 7, pid: 0 } };
    const failed = run([{ kind: 'start' }, { kind: 'messages', messages: [error] }], BEFORE_DUMP);
    expect(failed.actions.filter((a) => a.kind !== 'dump')).toEqual([{ kind: 'dumpFailed', what: 'links', reason: 'errno 16' }]);
    const retried = run([{ kind: 'resync' }], failed.state);
    expect(dumps(retried.actions)).toEqual(['links#8']);
  });

  it('an acknowledgement (errno 0) is not a failure', () => {
    const ack: RtnetlinkMessage = { kind: 'error', header: { type: NLMSG.ERROR, flags: 0, seq: 7, pid: 0 }, errno: 0,
      request: { type: 18, flags: 0, seq: 7, pid: 0 } };
    const { actions, state } = run([{ kind: 'start' }, { kind: 'messages', messages: [ack] }], BEFORE_DUMP);
    expect(actions.filter((a) => a.kind === 'dumpFailed')).toEqual([]);
    expect(state.dump).not.toBeNull();
  });

  it('a request that could not be sent fails only its own dump', () => {
    const started = run([{ kind: 'start' }], BEFORE_DUMP).state;
    expect(run([{ kind: 'sendFailed', seq: 99, reason: 'x' }], started).actions).toEqual([]);
    expect(run([{ kind: 'sendFailed', seq: 7, reason: 'EBADF' }], started).actions).toEqual([{ kind: 'dumpFailed', what: 'links', reason: 'EBADF' }]);
  });
});

function withSeq(event: LinkTableEvent, seq: number): LinkTableEvent {
  if (event.kind !== 'messages') return event;
  return { kind: 'messages', messages: event.messages.map((m) => ({ ...m, header: { ...m.header, seq } })) };
}

function withFlags(event: LinkTableEvent, flags: number): LinkTableEvent {
  if (event.kind !== 'messages') return event;
  return { kind: 'messages', messages: event.messages.map((m) => ({ ...m, header: { ...m.header, flags } })) };
}
