// Sends whole Ethernet frames, given as hex, on one interface of the namespace it runs in, through the
// speaker's own PacketSocket (the frames codec builds them; the tests judge what comes back):
//   node --import tsx test/lab/send-frames.ts IFNAME HEX [HEX ...]
// Prints how many it sent and exits. Root (CAP_NET_RAW).
import { ETHERTYPE_ARP } from '../../speaker/layer2/frames/index.js';
import { PacketSocket } from '../../speaker/native/packet-socket.js';

const [ifname, ...frames] = process.argv.slice(2);
if (ifname === undefined || frames.length === 0 || frames.some((hex) => !/^(?:[0-9a-f]{2})+$/i.test(hex))) {
  throw new Error(`usage: send-frames.ts IFNAME HEX [HEX ...]; got ${JSON.stringify(process.argv.slice(2))}`);
}
// The socket only sends: its receive side keeps the ARP-request filter and nobody reads what it lets in.
const socket = PacketSocket.open(ifname, ETHERTYPE_ARP, () => undefined);
for (const hex of frames) socket.send(Buffer.from(hex, 'hex'));
await socket.close();
process.stdout.write(`${frames.length}\n`);
