// The BFD driver on real UDP sockets over loopback, judged by the Linux kernel: sessions come Up, a killed
// peer is declared down after a Detection Time, a removed one says so at once, and a packet that arrives with
// a TTL other than 255 never reaches the session (the kernel filter drops it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { encodeControlPacket } from '../protocol/packet.js';
import { BfdDriver, leftUp, type BfdSessionChange } from './driver.js';

const logger = pino({ level: 'silent' });
const FAST = { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3 };
const A = '127.0.0.1';
const B = '127.0.0.2';
const STRANGER = '127.0.0.3';
/** Each test its own Control port, so parallel test files never share one. */
let nextPort = 40_000 + Math.floor(Math.random() * 10_000);
const freshPort = (): number => nextPort++;

function driverWithLog(port: number): { driver: BfdDriver; changes: BfdSessionChange[] } {
  const changes: BfdSessionChange[] = [];
  return { driver: new BfdDriver({ logger, controlPort: port, onChange: (c) => changes.push(c) }), changes };
}

async function waitFor(what: string, test: () => boolean, timeoutMs = 8000): Promise<number> {
  const start = performance.now();
  while (!test()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

const stateOf = (driver: BfdDriver, peer: string): string | undefined => driver.views().find((v) => v.peerAddress === peer)?.state;

describe('BfdDriver on loopback', () => {
  const drivers: BfdDriver[] = [];
  const children: ChildProcess[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const socket of sockets.splice(0)) socket.close();
    for (const driver of drivers.splice(0)) await driver.close();
  });

  it('brings two sessions Up, and a removed peer takes the other down at once with "neighbor signaled session down"', async () => {
    const port = freshPort();
    const a = driverWithLog(port);
    const b = driverWithLog(port);
    drivers.push(a.driver, b.driver);
    await a.driver.addPeer({ peerAddress: B, localAddress: A, timers: FAST, passive: false });
    await b.driver.addPeer({ peerAddress: A, localAddress: B, timers: FAST, passive: true });
    await waitFor('both sessions Up', () => stateOf(a.driver, B) === 'Up' && stateOf(b.driver, A) === 'Up');
    expect(a.driver.stats.received).toBeGreaterThan(0);

    await b.driver.removePeer(A);
    const tookMs = await waitFor('A to leave Up', () => stateOf(a.driver, B) !== 'Up');
    // One AdminDown packet, not a Detection Time (3 × 50 ms) of silence.
    expect(tookMs).toBeLessThan(100);
    const down = a.changes.find(leftUp);
    expect(down).toMatchObject({ peerAddress: B, from: 'Up', to: 'Down', diagnostic: 3 });
  });

  it('declares a killed peer down after its Detection Time ("control detection time expired")', async () => {
    const port = freshPort();
    const a = driverWithLog(port);
    drivers.push(a.driver);
    await a.driver.addPeer({ peerAddress: B, localAddress: A, timers: FAST, passive: false });
    const fixture = join(dirname(fileURLToPath(import.meta.url)), 'peer.fixture.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, B, A, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await waitFor('A Up with the peer process', () => stateOf(a.driver, B) === 'Up', 20_000);
    // Negotiated: 50 ms both ways, detect mult 3: a Detection Time of 150 ms.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    const killedAt = performance.now();
    await waitFor('A to leave Up', () => stateOf(a.driver, B) !== 'Up');
    const tookMs = performance.now() - killedAt;
    expect(a.changes.find(leftUp)).toMatchObject({ from: 'Up', to: 'Down', diagnostic: 1 });
    // Between two and three intervals of silence after the last packet, plus this machine's scheduling.
    expect(tookMs).toBeGreaterThanOrEqual(90);
    expect(tookMs).toBeLessThan(1000);
  }, 30_000);

  it('never hands the session a packet that arrived with TTL 64: the kernel drops it; the same packet with TTL 255 arrives', async () => {
    const port = freshPort();
    const a = driverWithLog(port);
    drivers.push(a.driver);
    await a.driver.addPeer({ peerAddress: STRANGER, localAddress: A, timers: FAST, passive: true });
    const hello = encodeControlPacket({
      diagnostic: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, multipoint: false,
      detectMult: 3, myDiscriminator: 4242, yourDiscriminator: 0, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 50_000,
      requiredMinEchoRxInterval: 0,
    });
    const forger = createSocket('udp4');
    sockets.push(forger);
    await new Promise<void>((resolve) => forger.bind(0, STRANGER, resolve));
    forger.setTTL(64);
    const dropsBefore = await a.driver.kernelDrops();
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve, reject) => forger.send(hello, port, A, (err) => (err ? reject(err) : resolve())));
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.driver.kernelDrops()).toBe(dropsBefore + 3);
    expect(a.driver.stats.received).toBe(0);
    expect(stateOf(a.driver, STRANGER)).toBe('Down');

    forger.setTTL(255);
    await new Promise<void>((resolve, reject) => forger.send(hello, port, A, (err) => (err ? reject(err) : resolve())));
    await waitFor('the session to take the packet (Down -> Init)', () => stateOf(a.driver, STRANGER) === 'Init');
    expect(a.driver.stats.received).toBe(1);
  });

  it('refuses a peer of one family on a local address of the other, naming both', async () => {
    const a = driverWithLog(freshPort());
    drivers.push(a.driver);
    await expect(a.driver.addPeer({ peerAddress: '::1', localAddress: A, timers: FAST, passive: false }))
      .rejects.toThrow('bfd: peer ::1 and local address 127.0.0.1 are of different families');
  });
});
