// The speaker's heartbeat socket: node:dgram with a kernel filter (native/codec/heartbeat-filter.ts) that
// drops every datagram whose source address no peer is listed at, before it is queued. Under a flood from
// anywhere else that is what keeps the speaker's CPU for its own beats: a junk datagram then costs the
// kernel a few dozen instructions instead of costing Node a system call, a Buffer and an event, and the
// receive gate a lookup (docs/layer2.md, "Under a flood").
//
// dgram cannot attach a filter, so the addon (native/herald_udp.c) creates the socket, attaches the filter,
// binds it and hands the fd to dgram (`bind({ fd })`), which owns it from then on: reads, sends, close.
// Attaching before bind() means no datagram is ever queued unfiltered. When the peers change the filter is
// replaced in one setsockopt; a datagram already queued stays and meets the receive gate as before.
import { closeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Logger } from '../../lib/log.js';
import { loadAddon } from '../native/addon.js';
import { encodeProgram } from '../native/codec/bpf.js';
import { heartbeatSourceFilter } from '../native/codec/heartbeat-filter.js';
import { bindDgram, dgramMethods, newDgramSocket, type DatagramSocket, type SocketFactory, type SourceFilterState } from './socket.js';

/**
 * A measurement knob, not a setting: HERALD_HEARTBEAT_FILTER=off leaves the heartbeat socket unfiltered, so
 * the flood test can measure the speaker as it was before the filter, with the same build. Never set it in
 * production (the packet sockets' twin is HERALD_PACKET_FILTER).
 */
export const HEARTBEAT_FILTER_ENV = 'HERALD_HEARTBEAT_FILTER';

export const filteredSocketFactory: SocketFactory = (family) => {
  const socket = newDgramSocket(family);
  const addon = loadAddon();
  let fd: number | undefined;
  let program: Uint8Array | null = null;
  let closed = false;
  const methods = dgramMethods(socket);
  const filtered: DatagramSocket = {
    ...methods,
    bind: async (port, address) => {
      const opened = addon.openUdpSocket(family === 'udp4' ? 4 : 6, address, port, program ?? undefined);
      try {
        await bindDgram(socket, (done) => socket.bind({ fd: opened }, done));
      } catch (err) {
        closeSync(opened);
        throw err;
      }
      fd = opened;
    },
    allowSources: (addresses) => {
      const { state, bytes } = filterFor(addresses);
      program = bytes;
      if (fd === undefined || closed) return state;
      try {
        addon.setSocketFilter(fd, bytes);
      } catch (err) {
        // Fail open: the old filter would drop a new peer's beats, and the receive gate checks the same anyway.
        program = null;
        addon.setSocketFilter(fd, null);
        throw err;
      }
      return state;
    },
    kernelDrops: () => (fd === undefined || closed ? undefined : addon.socketDrops(fd)),
    close: () => {
      closed = true;
      return methods.close();
    },
  };
  return filtered;
};

function filterFor(addresses: readonly string[]): { state: SourceFilterState; bytes: Uint8Array | null } {
  if (process.env[HEARTBEAT_FILTER_ENV] === 'off') return { state: { kind: 'unfiltered', why: `${HEARTBEAT_FILTER_ENV}=off` }, bytes: null };
  const built = heartbeatSourceFilter(addresses);
  if (built.kind === 'tooLarge') {
    const why = `${built.addresses} peer addresses need ${built.instructions} BPF instructions, more than the kernel takes`;
    return { state: { kind: 'unfiltered', why }, bytes: null };
  }
  return {
    state: { kind: 'filtered', addresses: built.addresses, instructions: built.program.length },
    bytes: encodeProgram(built.program, endianness() === 'LE'),
  };
}

/**
 * Gives `socket` the peers' addresses, logs what changed, and returns the filter's state (undefined for a
 * socket without filters). A filter the kernel refuses, or one too large for it, leaves the socket
 * unfiltered and the receive gate — which checks the same thing — as the only check: logged, never fatal.
 */
export function allowPeerSources(
  socket: DatagramSocket, addresses: readonly string[], before: SourceFilterState | undefined, logger: Logger | undefined,
): SourceFilterState | undefined {
  if (socket.allowSources === undefined) return undefined;
  try {
    const state = socket.allowSources(addresses);
    if (state.kind === 'unfiltered') {
      if (before?.kind !== 'unfiltered' || before.why !== state.why) logger?.warn({ why: state.why }, 'heartbeat socket: no kernel filter, every datagram reaches the speaker');
    } else if (before?.kind !== 'filtered' || before.addresses !== state.addresses) {
      logger?.info({ addresses: state.addresses, instructions: state.instructions }, 'heartbeat socket: kernel filter on the peers\' addresses');
    }
    return state;
  } catch (err) {
    logger?.error({ err }, 'heartbeat socket: the kernel refused the filter; the receive path checks the addresses alone');
    return { kind: 'unfiltered', why: `the kernel refused the filter: ${(err as Error).message}` };
  }
}
