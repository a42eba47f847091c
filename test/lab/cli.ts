// npm run lab -- up [--cluster | --bgp] | down | status [--json]   (root)
// --cluster: also an API server, the controller and a speaker in every node namespace (cluster.ts); prints the
// kubeconfig's path. --bgp: also the far client and BIRD in the router (bgp-lab.ts); prints BIRD's control socket.
import { BIRD_CTL, startBird, upBgpLab } from './bgp-lab.js';
import { upCluster } from './cluster.js';
import { down, up } from './lab.js';
import { formatStatus, status } from './status.js';

async function main(argv: string[]): Promise<void> {
  const [verb] = argv;
  const json = argv.includes('--json');
  switch (verb) {
    case 'up': {
      const started = performance.now();
      if (argv.includes('--cluster')) console.log(await upCluster());
      else await up();
      if (argv.includes('--bgp')) {
        await upBgpLab();
        await startBird({ detached: true });
        console.log(`BIRD: birdc -s ${BIRD_CTL} show protocols`);
      }
      console.error(`lab up in ${Math.round(performance.now() - started)} ms`);
      break;
    }
    case 'down': {
      const started = performance.now();
      await down();
      console.error(`lab down in ${Math.round(performance.now() - started)} ms`);
      break;
    }
    case 'status': {
      const s = await status();
      console.log(json ? JSON.stringify(s, null, 2) : formatStatus(s));
      break;
    }
    default:
      console.error('usage: npm run lab -- up [--cluster | --bgp] | down | status [--json]');
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
