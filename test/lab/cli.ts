// npm run lab -- up [--cluster | --bgp [--router bird|frr|gobgp]] | down | status [--json]   (root)
// --cluster: also an API server, the controller and a speaker in every node namespace (cluster.ts); prints the
// kubeconfig's path. --bgp: also the far client and a router daemon in the router's namespace (bgp-lab.ts): BIRD
// unless --router names FRR or GoBGP; prints how to talk to it.
import { BIRD_CTL, startBird, upBgpLab, type RouterKind } from './bgp-lab.js';
import { FRR_DIR, startFrr } from './frr-router.js';
import { startGobgp } from './gobgp-router.js';
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
        await startDetachedRouter(routerOf(argv));
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
      console.error('usage: npm run lab -- up [--cluster | --bgp [--router bird|frr|gobgp]] | down | status [--json]');
      process.exitCode = 2;
  }
}

function routerOf(argv: string[]): RouterKind {
  const at = argv.indexOf('--router');
  if (at < 0) return 'bird';
  const kind = argv[at + 1];
  if (kind === 'bird' || kind === 'frr' || kind === 'gobgp') return kind;
  throw new Error(`--router "${kind ?? ''}": use bird, frr or gobgp`);
}

/** The router outlives this command; `lab down` ends it with the rest. */
async function startDetachedRouter(kind: RouterKind): Promise<void> {
  if (kind === 'bird') {
    await startBird({ detached: true });
    console.log(`BIRD: birdc -s ${BIRD_CTL} show protocols`);
  } else if (kind === 'frr') {
    await startFrr({ detached: true });
    console.log(`FRR: ip netns exec hl-router vtysh --vty_socket ${FRR_DIR} -c 'show bgp summary'`);
  } else {
    await startGobgp({ detached: true });
    console.log('GoBGP: ip netns exec hl-router gobgp neighbor');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
