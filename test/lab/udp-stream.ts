// A steady stream of UDP datagrams nobody listens for, from the namespace it runs in:
//   node --import tsx test/lab/udp-stream.ts TARGET PORT PER_SECOND SECONDS
// Datagrams go out in small batches every 5 ms (a veth's backlog holds 1 000 frames, so one big burst would
// be dropped on the way). It prints how many it sent and exits. The footprint bench uses it as the pod
// traffic a speaker's IPv6 packet socket must not pay for.
import { createSocket } from 'node:dgram';

const [target, portText, rateText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const perSecond = Number(rateText);
const seconds = Number(secondsText);
if (target === undefined || !Number.isInteger(port) || !(perSecond > 0) || !(seconds > 0)) {
  throw new Error('usage: udp-stream.ts TARGET PORT PER_SECOND SECONDS');
}

const TICK_MS = 5;
const socket = createSocket(target.includes(':') ? 'udp6' : 'udp4');
const payload = Buffer.alloc(100, 0x5a);
const total = Math.round(perSecond * seconds);
const start = performance.now();
let sent = 0;

function tick(): void {
  // As many as the schedule says by now: a late tick catches up instead of slowing the stream.
  const due = Math.min(total, Math.round(((performance.now() - start) / 1000) * perSecond));
  for (; sent < due; sent++) socket.send(payload, port, target);
  if (sent < total) setTimeout(tick, TICK_MS);
  else setTimeout(() => socket.close(() => process.stdout.write(`${sent}\n`)), 50);
}
tick();
