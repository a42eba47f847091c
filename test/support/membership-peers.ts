// Speakers' membership in a process of its own, for tests that must not share an event loop (or its stalls)
// with the speaker they judge:
//   node --import tsx test/support/membership-peers.ts --port P --key-hex HEX --run b --run c \
//        --node a@127.0.0.1 --node b@127.0.0.2 --node c@127.0.0.3 [--interval-ms 50]
// Runs UdpMembership for every --run name (bound to its --node address), with every --node as a peer. Prints
// {"ready":true} once all have started, then one {"node","alive"} line per membership change; stops (with
// goodbyes) on SIGTERM.
import { UdpMembership } from '../../speaker/membership/udp-membership.js';

function all(argv: readonly string[], name: string): string[] {
  return argv.flatMap((a, i) => (a === name && argv[i + 1] !== undefined ? [argv[i + 1] ?? ''] : []));
}

function one(argv: readonly string[], name: string): string | undefined {
  return all(argv, name)[0];
}

async function main(argv: readonly string[]): Promise<void> {
  const port = Number(one(argv, '--port'));
  const key = Buffer.from(one(argv, '--key-hex') ?? '', 'hex');
  const intervalMs = Number(one(argv, '--interval-ms') ?? '50');
  const peers = all(argv, '--node').map((spec) => {
    const [name, address] = spec.split('@');
    if (name === undefined || address === undefined) throw new Error(`--node must be NAME@ADDRESS, got ${JSON.stringify(spec)}`);
    return { name, address };
  });
  const members = all(argv, '--run').map((name) => {
    const address = peers.find((p) => p.name === name)?.address;
    if (address === undefined) throw new Error(`--run ${name}: no --node ${name}@ADDRESS`);
    const m = new UdpMembership({ nodeName: name, bindAddress: address, port, peers, key, intervalMs });
    m.onChange((alive) => process.stdout.write(`${JSON.stringify({ node: name, alive: [...alive].sort() })}\n`));
    return m;
  });
  for (const m of members) await m.start();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  process.once('SIGTERM', () => {
    void Promise.all(members.map((m) => m.stop())).then(() => process.exit(0));
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`membership-peers: ${(err as Error).message}\n`);
  process.exit(1);
});
