// The heartbeat socket's kernel filter in the real kernel, over loopback (no root needed: any process may
// filter its own sockets). All of 127/8 is local on Linux, so 127.0.0.9 is a stranger; ::1 is the only IPv6
// loopback address, so the IPv6 case lists it or not.
import { createSocket, type Socket } from 'node:dgram';
import { capturedLog } from '../../test/support/captured-log.js';
import { allowPeerSources, filteredSocketFactory, HEARTBEAT_FILTER_ENV } from './filtered-socket.js';
import type { DatagramSocket } from './socket.js';

const opened: DatagramSocket[] = [];
const senders: Socket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(senders.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  delete process.env.HERALD_HEARTBEAT_FILTER;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function receiver(family: 'udp4' | 'udp6', address: string, allowed?: readonly string[]): Promise<{ socket: DatagramSocket; heard: string[] }> {
  const socket = filteredSocketFactory(family);
  opened.push(socket);
  const heard: string[] = [];
  socket.onMessage((_bytes, from) => heard.push(from.address));
  if (allowed !== undefined) socket.allowSources?.(allowed);
  await socket.bind(0, address);
  return { socket, heard };
}

async function sendFrom(from: string, to: string, port: number): Promise<void> {
  const s = createSocket(from.includes(':') ? 'udp6' : 'udp4');
  senders.push(s);
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  await new Promise<void>((r) => s.send(Buffer.from('x'), port, to, () => r()));
}

describe('the filtered heartbeat socket', () => {
  it('on a dual-stack socket, passes IPv4 from a listed address and drops the rest, counting them', async () => {
    const { socket, heard } = await receiver('udp6', '::', ['127.0.0.1', '2001:db8::1']);
    const { port } = socket.address();
    await sendFrom('127.0.0.9', '127.0.0.1', port);
    await sendFrom('127.0.0.1', '127.0.0.1', port);
    await sendFrom('::1', '::1', port);
    await sleep(100);
    expect(heard).toEqual(['::ffff:127.0.0.1']);
    expect(socket.kernelDrops?.()).toBe(2);
  });

  it('passes IPv6 from a listed address', async () => {
    const { socket, heard } = await receiver('udp6', '::1', ['::1']);
    await sendFrom('::1', '::1', socket.address().port);
    await sleep(100);
    expect(heard).toEqual(['::1']);
  });

  it('replaces the filter after bind: what was dropped passes, and back', async () => {
    const { socket, heard } = await receiver('udp4', '127.0.0.1', ['127.0.0.2']);
    const { port } = socket.address();
    await sendFrom('127.0.0.9', '127.0.0.1', port);
    expect(socket.allowSources?.(['127.0.0.2', '127.0.0.9'])).toEqual({ kind: 'filtered', addresses: 2, instructions: expect.any(Number) });
    await sendFrom('127.0.0.9', '127.0.0.1', port);
    socket.allowSources?.(['127.0.0.2']);
    await sendFrom('127.0.0.9', '127.0.0.1', port);
    await sleep(100);
    expect(heard).toEqual(['127.0.0.9']);
    expect(socket.kernelDrops?.()).toBe(2);
  });

  it('stays unfiltered, and says why, for more peers than a program holds and under the measurement knob', async () => {
    const many = Array.from({ length: 2100 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const { socket, heard } = await receiver('udp4', '127.0.0.1');
    expect(socket.allowSources?.(many)).toEqual({ kind: 'unfiltered', why: expect.stringContaining('2100 peer addresses need') });
    process.env[HEARTBEAT_FILTER_ENV] = 'off';
    expect(socket.allowSources?.(['127.0.0.2'])).toEqual({ kind: 'unfiltered', why: 'HERALD_HEARTBEAT_FILTER=off' });
    await sendFrom('127.0.0.9', '127.0.0.1', socket.address().port);
    await sleep(100);
    expect(heard).toEqual(['127.0.0.9']);
  });

  it('refuses to bind where it cannot, naming the address and the port', async () => {
    const { socket } = await receiver('udp4', '127.0.0.1', []);
    const [second, third] = [filteredSocketFactory('udp4'), filteredSocketFactory('udp4')];
    opened.push(second, third);
    await expect(second.bind(socket.address().port, '127.0.0.1')).rejects.toThrow(
      expect.objectContaining({ code: 'EADDRINUSE', message: expect.stringContaining(`"127.0.0.1 port ${socket.address().port}"`) }),
    );
    await expect(third.bind(0, 'not-an-address')).rejects.toThrow('"not-an-address port 0"');
  });
});

describe('allowPeerSources (what membership does with the socket\'s answer)', () => {
  const plain = (allowSources?: DatagramSocket['allowSources']): DatagramSocket => ({
    bind: async () => undefined, send: async () => undefined, onMessage: () => undefined, onError: () => undefined,
    address: () => ({ address: '127.0.0.1', port: 1 }), close: async () => undefined, ...(allowSources && { allowSources }),
  });

  it('has nothing to do for a socket without a filter', () => {
    expect(allowPeerSources(plain(), ['127.0.0.2'], undefined, undefined)).toBeUndefined();
  });

  it('goes on unfiltered, with an error in the log, when the kernel refuses the filter', () => {
    const { logger, lines } = capturedLog('info');
    const refused = plain(() => { throw new Error('setsockopt(SO_ATTACH_FILTER) on "fd 9": Cannot allocate memory'); });
    expect(allowPeerSources(refused, ['127.0.0.2'], undefined, logger)).toEqual({
      kind: 'unfiltered', why: 'the kernel refused the filter: setsockopt(SO_ATTACH_FILTER) on "fd 9": Cannot allocate memory',
    });
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('says once, not on every peer change, that the socket stays unfiltered; and says when the filter changes size', () => {
    const { logger, lines } = capturedLog('info');
    const tooMany = plain(() => ({ kind: 'unfiltered', why: '2100 peer addresses need 4203 BPF instructions, more than the kernel takes' }));
    const first = allowPeerSources(tooMany, [], undefined, logger);
    allowPeerSources(tooMany, [], first, logger);
    expect(lines.filter((l) => l.msg === 'heartbeat socket: no kernel filter, every datagram reaches the speaker')).toHaveLength(1);
    const filtered = plain((addresses) => ({ kind: 'filtered', addresses: addresses.length, instructions: 8 }));
    const two = allowPeerSources(filtered, ['127.0.0.2', '127.0.0.3'], first, logger);
    allowPeerSources(filtered, ['127.0.0.2', '127.0.0.4'], two, logger);
    allowPeerSources(filtered, ['127.0.0.2'], two, logger);
    expect(lines.filter((l) => l.msg === 'heartbeat socket: kernel filter on the peers\' addresses').map((l) => l.addresses)).toEqual([2, 1]);
  });
});
