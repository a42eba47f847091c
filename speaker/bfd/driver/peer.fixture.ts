// A BFD peer in a process of its own, for the driver test that kills it: `node --import tsx peer.fixture.ts
// LOCAL PEER PORT`. Prints "up" once its session is Up and runs until it is killed.
import { pino } from 'pino';
import { BfdDriver } from './driver.js';

const [local, peer, port] = process.argv.slice(2);
if (local === undefined || peer === undefined || port === undefined) throw new Error('usage: peer.fixture.ts LOCAL PEER PORT');
const driver = new BfdDriver({
  logger: pino({ level: 'warn' }),
  controlPort: Number(port),
  onChange: (change) => { if (change.to === 'Up') process.stdout.write('up\n'); },
});
const timers = { desiredMinTxInterval: 50_000, requiredMinRxInterval: 50_000, detectMult: 3 };
driver.addPeer({ peerAddress: peer, localAddress: local, passive: false, timers }).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
setInterval(() => undefined, 1000);
