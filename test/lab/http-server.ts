// The lab's stand-in for a Service backend: answers every HTTP request on port 80 (IPv4 and IPv6)
// with the name of the node it runs on, so a client can tell which node a VIP reached.
// Started by the lab inside a node's namespace with plain `node` (Node 24 strips the types itself).
import { createServer } from 'node:http';

const name = process.argv[2];
const port = Number(process.argv[3] ?? '80');
if (!name) {
  console.error('usage: http-server.ts NODE_NAME [PORT]');
  process.exit(2);
}

// One answer per connection, unless the client asks to keep it (prober.ts's held connections).
const server = createServer((req, res) => {
  const keep = req.headers.connection?.toLowerCase() === 'keep-alive';
  res.writeHead(200, { 'content-type': 'text/plain', connection: keep ? 'keep-alive' : 'close' });
  res.end(`${name}\n`);
});
// `::` with the default ipv6Only=false takes IPv4 connections too, VIPs on `lo` included.
server.listen(port, '::', () => console.log(`http-server ${name} listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
