// The router configurations docs/bgp-routers.md gives: each fenced block after a `<!-- check: NAME -->` line.
// router-configs.lab.test.ts parses them with the daemons' own parsers; the FRR and GoBGP judges of the BGP lab
// (frr-router.ts, gobgp-router.ts) run them, so what the page tells users is what the lab proves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lab.js';

export const ROUTERS_PAGE = join(REPO_ROOT, 'docs', 'bgp-routers.md');

/** The fenced blocks that follow a `<!-- check: NAME -->` line. */
export function checkedBlocks(markdown: string): { name: string; text: string }[] {
  const blocks: { name: string; text: string }[] = [];
  for (const m of markdown.matchAll(/<!-- check: (\w+) -->\n```[^\n]*\n([\s\S]*?)\n```/g)) {
    blocks.push({ name: m[1] ?? '', text: `${m[2] ?? ''}\n` });
  }
  return blocks;
}

/** The page's configuration for one router (bird, frr, gobgp); throws naming the page when it has none. */
export function documentedConfig(name: string): string {
  const block = checkedBlocks(readFileSync(ROUTERS_PAGE, 'utf8')).find((b) => b.name === name);
  if (block === undefined) throw new Error(`${ROUTERS_PAGE}: no "<!-- check: ${name} -->" block`);
  return block.text;
}
