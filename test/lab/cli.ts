// npm run lab -- up | down | status [--json]   (root)
import { down, up } from './lab.js';
import { formatStatus, status } from './status.js';

async function main(argv: string[]): Promise<void> {
  const [verb] = argv;
  const json = argv.includes('--json');
  switch (verb) {
    case 'up': {
      const started = performance.now();
      await up();
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
      console.error('usage: npm run lab -- up|down|status [--json]');
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
