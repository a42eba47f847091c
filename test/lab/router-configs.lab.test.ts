// The router configurations docs/bgp-routers.md gives, checked by the routers' own parsers: `bird -p`,
// `vtysh --dryrun` and `gobgpd --dry-run`. Each block marked `<!-- check: NAME -->` in the page is written to a
// file and parsed; a copy with one bad line must be refused, so the check cannot pass by not looking. In the lab
// layer because the daemons come with the lab's packages (test/lab/install-deps.sh).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROUTERS_PAGE, checkedBlocks } from './doc-configs.js';

const run = promisify(execFile);

interface Checker {
  file: string;
  argv: (path: string) => string[];
  /** A line the parser must refuse, appended to prove the check bites. */
  badLine: string;
}

const CHECKERS: Record<string, Checker> = {
  bird: { file: 'bird.conf', argv: (p) => ['bird', '-p', '-c', p], badLine: 'protocol bgp broken { no such option; }' },
  frr: { file: 'frr.conf', argv: (p) => ['vtysh', '--dryrun', '-f', p], badLine: 'router bgp 64501\n no such command' },
  gobgp: { file: 'gobgp.toml', argv: (p) => ['gobgpd', '--dry-run', '-f', p], badLine: '[global.config]\n  as = "not a number"' },
};

async function parses(checker: Checker, dir: string, text: string): Promise<{ ok: boolean; output: string }> {
  const path = join(dir, checker.file);
  writeFileSync(path, text);
  const [command, ...args] = checker.argv(path);
  try {
    const { stdout, stderr } = await run(command ?? '', args, { timeout: 20_000, env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

describe('docs/bgp-routers.md: the router configurations parse', () => {
  const blocks = checkedBlocks(readFileSync(ROUTERS_PAGE, 'utf8'));
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'herald-router-configs-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks a BIRD, an FRR and a GoBGP configuration for checking, and nothing unknown', () => {
    expect(blocks.map((b) => b.name).sort()).toEqual(['bird', 'frr', 'gobgp']);
  });

  it.each(Object.keys(CHECKERS))('%s accepts the page\'s configuration and refuses it with one bad line', async (name) => {
    const checker = CHECKERS[name];
    const block = blocks.find((b) => b.name === name);
    if (checker === undefined || block === undefined) throw new Error(`no ${name} block or checker`);
    const good = await parses(checker, dir, block.text);
    expect({ ok: good.ok, output: good.ok ? '' : good.output }).toEqual({ ok: true, output: '' });
    const bad = await parses(checker, dir, `${block.text}${checker.badLine}\n`);
    expect(bad.ok).toBe(false);
  });
});
