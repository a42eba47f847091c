// `npm run apiserver -- --port N`: runs the emulator standalone until interrupted.
import { Command } from 'commander';
import { startApiServer } from './index.js';

const program = new Command()
  .name('apiserver')
  .description('Herald\'s Kubernetes API server emulator (a test double; plain http, no auth)')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
  .option('--host <address>', 'address to listen on (the network lab puts it on its router\'s address)', '127.0.0.1')
  .option('--service-cidr <cidr...>', 'service CIDRs, one per family, primary first')
  .option('--log-requests', 'print each request line');
const flags = program.parse().opts<{ port: string; host: string; serviceCidr?: string[]; logRequests?: boolean }>();
const port = Number(flags.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port ${flags.port}: not a port number`);
  process.exit(2);
}
const server = await startApiServer({
  port, host: flags.host, serviceCIDRs: flags.serviceCidr,
  onRequest: flags.logRequests ? (req) => console.log(`${req.method ?? ''} ${req.url ?? ''}`) : undefined,
});
console.log(`API server emulator listening on ${server.url}`);
console.log(`kubeconfig: ${server.kubeconfigPath}`);
console.log(`try: kubectl --kubeconfig ${server.kubeconfigPath} get namespaces`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
