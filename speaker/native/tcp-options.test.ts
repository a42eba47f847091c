// The BGP sessions' TCP options judged by the Linux kernel, over loopback (no root needed: any process may sign
// its own connections and set their TTLs). A SYN the kernel refuses (unsigned, wrongly signed, too low a TTL) is
// dropped without a RST, so such a client neither connects nor fails: it times out, here after TIMEOUT_MS.
// All of 127/8 is local on Linux, so 127.0.0.2 can be a second source address.
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { loadAddon } from './addon.js';
import { connectTcp, deleteMd5Key, getMinTtl, getTtl, MD5_KEY_MAX_BYTES, setMd5Key, setMinTtl, setTtl, socketFd, type TcpConnectOptions } from './tcp-options.js';

const TIMEOUT_MS = 1500;
const KEY = 'bgp-password';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A listener on `host` that echoes what it reads. */
async function echoServer(host: string): Promise<{ server: Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = createServer((connection) => {
    sockets.push(connection);
    peers.push(connection.remoteAddress ?? '?');
    connection.on('error', () => undefined);
    connection.pipe(connection);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port, peers };
}

type Outcome = 'echoed' | 'timedOut' | `error ${string}`;

/** Waits for the socket to connect, sends a line and waits for it to come back; or for an error, or TIMEOUT_MS. */
function exchange(socket: Socket): Promise<Outcome> {
  sockets.push(socket);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timedOut'), TIMEOUT_MS);
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    socket.once('error', (err: NodeJS.ErrnoException) => done(`error ${err.code ?? err.message}`));
    socket.once('connect', () => socket.write('OPEN\n'));
    socket.once('data', (data) => done(data.toString() === 'OPEN\n' ? 'echoed' : `error echo ${data.toString()}`));
  });
}

const client = (host: string, port: number, options: Omit<TcpConnectOptions, 'host' | 'port'> = {}) => exchange(connectTcp({ host, port, ...options }));
const plainClient = (host: string, port: number) => exchange(connect(port, host));

describe('TCP MD5 signatures (RFC 2385), judged by the kernel', () => {
  describe.each([
    ['IPv4', '127.0.0.1', '127.0.0.1'],
    ['IPv6', '::1', '::1'],
    ['an IPv4 peer of a dual-stack listener (keyed as ::ffff:127.0.0.1)', '::', '127.0.0.1'],
  ])('%s', (_name, listenOn, peer) => {
    it('a client with the key exchanges bytes; one with a wrong key or none never connects; without the key all connect', async () => {
      const { server, port } = await echoServer(listenOn);
      setMd5Key(server, peer, KEY);
      const [right, wrong, none] = await Promise.all([
        client(peer, port, { md5Key: KEY }),
        client(peer, port, { md5Key: 'another-password' }),
        plainClient(peer, port),
      ]);
      expect({ right, wrong, none }).toEqual({ right: 'echoed', wrong: 'timedOut', none: 'timedOut' });
      deleteMd5Key(server, peer);
      expect(await plainClient(peer, port)).toBe('echoed');
    });
  });

  it('signs the SYN itself: a signed SYN to a listener holding no key for that address is dropped too', async () => {
    const { server, port } = await echoServer('127.0.0.1');
    const { port: unkeyedPort } = await echoServer('::1');
    setMd5Key(server, '127.0.0.9', KEY); // keys are per address: 127.0.0.1 stays unchecked
    const [signedV4, signedV6, plain] = await Promise.all([
      client('127.0.0.1', port, { md5Key: KEY }),
      client('::1', unkeyedPort, { md5Key: KEY }),
      plainClient('127.0.0.1', port),
    ]);
    expect({ signedV4, signedV6, plain }).toEqual({ signedV4: 'timedOut', signedV6: 'timedOut', plain: 'echoed' });
  });

  it(`takes a key of ${MD5_KEY_MAX_BYTES} bytes, and a key on a socket from its source address`, async () => {
    const { server, port, peers } = await echoServer('127.0.0.1');
    const longest = 'k'.repeat(MD5_KEY_MAX_BYTES);
    setMd5Key(server, '127.0.0.2', longest);
    expect(await client('127.0.0.1', port, { md5Key: longest, sourceAddress: '127.0.0.2' })).toBe('echoed');
    expect(peers).toEqual(['127.0.0.2']);
  });

  it('deleting a key that is not there is no error; setting one again replaces it', async () => {
    const { server, port } = await echoServer('127.0.0.1');
    expect(() => deleteMd5Key(server, '127.0.0.1')).not.toThrow();
    setMd5Key(server, '127.0.0.1', 'old');
    setMd5Key(socketFd(server), '127.0.0.1', Buffer.from('new'));
    expect(await client('127.0.0.1', port, { md5Key: 'new' })).toBe('echoed');
  });
});

describe('TTL and GTSM (RFC 5082), judged by the kernel', () => {
  const defaultTtl = Number(readFileSync('/proc/sys/net/ipv4/ip_default_ttl', 'utf8'));
  const defaultHops = Number(readFileSync('/proc/sys/net/ipv6/conf/all/hop_limit', 'utf8'));

  it('a socket sends with the kernel default until set; the value reads back on IPv4 and IPv6 sockets', async () => {
    const { server } = await echoServer('127.0.0.1');
    const { port: port6 } = await echoServer('::1');
    const socket6 = connectTcp({ host: '::1', port: port6, ttl: 1 });
    sockets.push(socket6);
    expect([getTtl(server), getMinTtl(server)]).toEqual([defaultTtl, 0]);
    setTtl(server, 255);
    setMinTtl(server, 254);
    expect([getTtl(server), getMinTtl(server)]).toEqual([255, 254]);
    expect(getTtl(socket6)).toBe(1);
    setTtl(socket6, 255);
    setMinTtl(socket6, 255);
    expect([getTtl(socket6), getMinTtl(socket6)]).toEqual([255, 255]);
    const fresh6 = connectTcp({ host: '::1', port: port6 });
    sockets.push(fresh6);
    expect(getTtl(fresh6)).toBe(defaultHops);
  });

  describe.each([
    ['IPv4', '127.0.0.1', '127.0.0.1'],
    ['IPv6', '::1', '::1'],
    ['an IPv4 peer of a dual-stack listener (IP_MINTTL beside IPV6_MINHOPCOUNT)', '::', '127.0.0.1'],
  ])('%s', (_name, listenOn, peer) => {
    it('a listener with minimum TTL 255 accepts a client sending 255 and drops one sending 254 or the default', async () => {
      const { server, port } = await echoServer(listenOn);
      setMinTtl(server, 255);
      const [sends255, sends254, plain] = await Promise.all([
        client(peer, port, { ttl: 255 }),
        client(peer, port, { ttl: 254 }),
        plainClient(peer, port),
      ]);
      expect({ sends255, sends254, plain }).toEqual({ sends255: 'echoed', sends254: 'timedOut', plain: 'timedOut' });
      setMinTtl(server, 0);
      expect(await plainClient(peer, port)).toBe('echoed');
    });
  });
});

describe('the route to a signed SYN: new net.Socket({ fd }), then connect()', () => {
  it('Node reads a socket made from an fd at once: left unconnected for a turn of the loop it fails (ENOTCONN)', async () => {
    const socket = new Socket({ fd: loadAddon().openTcpSocket(4, null) });
    sockets.push(socket);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    expect(error.code).toBe('ENOTCONN');
  });

  it('connectTcp connects in the same tick, and reports a refused connection as net.connect does', async () => {
    const { server, port } = await echoServer('127.0.0.1');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    servers.splice(servers.indexOf(server), 1);
    expect(await client('127.0.0.1', port)).toBe('error ECONNREFUSED');
  });
});

describe('errors name the value', () => {
  let fd: number;
  beforeEach(() => {
    fd = loadAddon().openTcpSocket(4, null);
  });
  afterEach(() => {
    if (fd >= 0) closeSync(fd);
  });

  it('a key longer than the kernel takes gives its length, never the key', () => {
    // (The addon's errors come from Node's realm, not jest's: compared by name, not by class.)
    expect(() => setMd5Key(fd, '127.0.0.1', 'x'.repeat(81))).toThrow(expect.objectContaining({
      name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'the TCP MD5 key for peer 127.0.0.1 is 81 bytes; the kernel takes at most 80' }));
    expect(() => setMd5Key(fd, '127.0.0.1', 'é'.repeat(80))).toThrow('is 160 bytes; the kernel takes at most 80');
  });

  it('an address that is none, or of the other family', () => {
    expect(() => setMd5Key(fd, 'not-an-address', KEY)).toThrow('"not-an-address" is not an IPv4 or IPv6 address');
    expect(() => setMd5Key(fd, '::1', KEY)).toThrow('"::1" is an IPv6 address and the socket is IPv4');
    expect(() => connectTcp({ host: 'localhost', port: 179 })).toThrow('host "localhost" is not an IP address');
    expect(() => connectTcp({ host: '127.0.0.1', port: 179, sourceAddress: '::1' })).toThrow(
      'sourceAddress "::1" is not an IPv4 address like host "127.0.0.1"');
  });

  it('a closed fd, a UDP socket and a net.Socket or net.Server without one', async () => {
    const closed = fd;
    closeSync(fd);
    fd = -1;
    expect(() => setMd5Key(closed, '127.0.0.1', KEY)).toThrow(`setsockopt(TCP_MD5SIG) on "fd ${closed}, peer 127.0.0.1": Bad file descriptor`);
    expect(() => setTtl(closed, 255)).toThrow(expect.objectContaining({ code: 'EBADF', message: `setsockopt(IP_TTL) on "fd ${closed}, ttl 255": Bad file descriptor` }));
    expect(() => getMinTtl(closed)).toThrow(`getsockopt(IP_MINTTL) on "fd ${closed}": Bad file descriptor`);
    const udp = loadAddon().openUdpSocket(4, '127.0.0.1', 0);
    try {
      expect(() => setMinTtl(udp, 255)).toThrow(`setsockopt(IP_MINTTL) on "fd ${udp}, minTtl 255": not a TCP/IP socket (domain 2, protocol 17)`);
    } finally {
      closeSync(udp);
    }
    expect(() => setMd5Key(createServer(), '127.0.0.1', KEY)).toThrow('no file descriptor for this net.Server: it has no handle');
    const { port } = await echoServer('127.0.0.1');
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.destroy();
    expect(() => getTtl(socket)).toThrow('no file descriptor for this net.Socket: it has no handle');
  });

  it('a TTL out of range', () => {
    expect(() => setTtl(fd, 0)).toThrow(expect.objectContaining({ name: 'RangeError', message: 'ttl must be an integer in 1..255, got 0' }));
    expect(() => setTtl(fd, 256)).toThrow('ttl must be an integer in 1..255, got 256');
    expect(() => setTtl(fd, 1.5)).toThrow('ttl must be an integer in 1..255, got 1.5');
    expect(() => setMinTtl(fd, -1)).toThrow('minTtl must be an integer in 0..255, got -1');
  });

  it('a source address that is not local, and connectTcp leaves no fd open when it fails', () => {
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    expect(() => connectTcp({ host: '127.0.0.1', port: 179, sourceAddress: '192.0.2.1' })).toThrow(
      expect.objectContaining({ code: 'EADDRNOTAVAIL', message: 'bind on "192.0.2.1": Cannot assign requested address' }));
    expect(() => connectTcp({ host: '127.0.0.1', port: 179, md5Key: 'x'.repeat(81) })).toThrow('81 bytes');
    expect(() => connectTcp({ host: '127.0.0.1', port: 179, ttl: 0 })).toThrow('got 0');
    expect(() => connectTcp({ host: '127.0.0.1', port: 70000 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(open()).toBe(before);
  });
});
