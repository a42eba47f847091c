// The TCP half of the scripted BGP peer (scripted-peer.ts drives it): run inside the router's namespace, it
// listens on one address and port and relays raw bytes between the BGP connection a speaker opens and the test.
// It knows nothing of BGP beyond the header's Length field, which it uses to hand the test whole messages; what
// to send, and when, is the test's script.
//
//   stdin  (one JSON object a line): {"send": HEX}  write these octets to the connection
//                                   {"keepalive": S} from now on send this connection a KEEPALIVE every S seconds,
//                                                    as a peer does once Established (RFC 4271 §4.4)
//                                   {"close": true} end the connection (FIN)
//   stdout (one JSON object a line): {"event": "listening"}
//                                   {"event": "accept", "remote": "ADDR", "t": MS}
//                                   {"event": "message", "hex": HEX, "t": MS}  one whole message from the speaker
//                                   {"event": "written", "octets": N, "t": MS}  a send has left for the kernel
//                                   {"event": "close", "t": MS}               the speaker closed (or reset)
// MS is Date.now() here, so the test can time the speaker's behaviour without its own scheduling in between.
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [host, portText] = process.argv.slice(2);
if (host === undefined || portText === undefined) throw new Error('usage: bgp-wire-peer.ts ADDRESS PORT');

const HEADER = 19;
const KEEPALIVE = Buffer.from(`${'ff'.repeat(16)}001304`, 'hex');
let connection: Socket | null = null;
const keepalives = new Map<Socket, NodeJS.Timeout>();

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Cuts whole messages from the stream by the header's Length; a length below 19 would stall, so it is reported raw. */
function relay(socket: Socket): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER) {
      const length = pending.readUInt16BE(16);
      const take = length < HEADER ? pending.length : length;
      if (pending.length < take) break;
      emit({ event: 'message', hex: pending.subarray(0, take).toString('hex'), t: Date.now() });
      pending = pending.subarray(take);
    }
  });
  const closed = (): void => {
    if (connection === socket) {
      connection = null;
      emit({ event: 'close', t: Date.now() });
    }
  };
  socket.on('end', () => socket.end());
  socket.on('close', () => {
    clearInterval(keepalives.get(socket));
    closed();
  });
  socket.on('error', () => socket.destroy());
}

const server = createServer((socket) => {
  connection?.destroy(); // one connection at a time: the speaker opens one per session
  connection = socket;
  socket.setNoDelay(true);
  emit({ event: 'accept', remote: socket.remoteAddress, t: Date.now() });
  relay(socket);
});
server.listen({ host, port: Number(portText) }, () => emit({ event: 'listening' }));

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { send?: string; keepalive?: number; close?: boolean };
  const socket = connection;
  if (socket === null) return;
  if (command.send !== undefined) {
    const octets = Buffer.from(command.send, 'hex');
    socket.write(octets, () => emit({ event: 'written', octets: octets.length, t: Date.now() }));
  }
  if (command.keepalive !== undefined && !keepalives.has(socket)) {
    keepalives.set(socket, setInterval(() => socket.write(KEEPALIVE), command.keepalive * 1000));
  }
  if (command.close === true) socket.end();
});
process.stdin.on('end', () => process.exit(0));
