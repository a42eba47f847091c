// The speaker binary itself, as a user runs it: flags in, a running speaker, SIGTERM out with exit 0.
// Nothing is announced (the file lists no IPs), so no packet socket opens and no root is needed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('herald-speaker binary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-main-'));
    await writeFile(join(dir, 'announce.yaml'), 'nodes: [{name: n1, address: 127.0.0.1}]\nips: []\n');
    await writeFile(join(dir, 'key'), 'test-only-heartbeat-key-0123456789\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a heartbeat interval slower than the default slow beat, and stops with exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'speaker/main.ts', '--node-name', 'n1',
      '--source', `file:${join(dir, 'announce.yaml')}`, '--heartbeat-key-file', join(dir, 'key'),
      '--heartbeat-port', '0', '--bind-address', '127.0.0.1', '--metrics-port', '0', '--heartbeat-interval-ms', '2000'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20000;
    while (!output.includes('speaker started') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('speaker started');
    expect(output).toContain('stopping: goodbye, withdraw, close');
  });

  /** Runs the binary until it logs `until` (then SIGTERM) or exits; resolves with its exit code and output. */
  async function run(args: string[], until = 'speaker started'): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'speaker/main.ts', '--source', `file:${join(dir, 'announce.yaml')}`,
      '--heartbeat-key-file', join(dir, 'key'), '--heartbeat-port', '0', '--metrics-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20000;
    while (!output.includes(until) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    return { code: await exited, output };
  }

  it('binds the heartbeat socket to the address listed for the node when --bind-address is not given', async () => {
    await writeFile(join(dir, 'announce.yaml'), 'nodes: [{name: n1, address: 127.0.0.2}, {name: n2, address: 127.0.0.3}]\nips: []\n');
    const { code, output } = await run(['--node-name', 'n1']);
    expect(code).toBe(0);
    expect(output).toMatch(/"bindAddress":"127\.0\.0\.2","reason":"listed"/);
    expect(output).toMatch(/"address":\{"address":"127\.0\.0\.2","port":\d+\},"peers":1,"keys":1,"msg":"membership started"/);
  });

  it('reads several heartbeat keys, one per line', async () => {
    await writeFile(join(dir, 'key'), 'test-only-heartbeat-key-0123456789\nthe-previous-key-0123456789abcdef\n');
    const { code, output } = await run(['--node-name', 'n1', '--bind-address', '127.0.0.1']);
    expect(code).toBe(0);
    expect(output).toContain('"keys":2,"msg":"membership started"');
  });

  it('two speakers with different key files say so: an error line naming the other node, /readyz 503 with why', async () => {
    await writeFile(join(dir, 'announce.yaml'), 'nodes: [{name: n1, address: 127.0.0.2}, {name: n2, address: 127.0.0.3}]\nips: []\n');
    await writeFile(join(dir, 'other-key'), 'a-key-only-n2-has-0123456789abcdef\n');
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const speakers = [['n1', 'key'], ['n2', 'other-key']].map(([node, key], i) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'speaker/main.ts', '--source', `file:${join(dir, 'announce.yaml')}`,
        '--node-name', node ?? '', '--heartbeat-key-file', join(dir, key ?? ''), '--heartbeat-port', String(port),
        '--metrics-port', String(port + 1 + i), '--metrics-host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
      const s = { child, output: '', exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
      child.stdout.on('data', (d: Buffer) => { s.output += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { s.output += d.toString(); });
      return s;
    });
    try {
      const readyz = async (s: (typeof speakers)[number]): Promise<string> => {
        const metricsPort = /"metricsPort":(\d+)/.exec(s.output)?.[1];
        if (metricsPort === undefined) return '';
        const res = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
        return `${res.status} ${await res.text()}`;
      };
      const deadline = Date.now() + 20_000;
      let answers: string[] = [];
      while (Date.now() < deadline) {
        answers = await Promise.all(speakers.map(readyz));
        if (answers.every((a) => a.includes('heartbeat keys differ'))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const [n1, n2] = speakers.map((s) => s.output);
      expect(answers).toEqual([
        `503 heartbeat keys differ: every heartbeat from node "n2" fails authentication with every key this speaker holds; check the key file ${join(dir, 'key')} (every speaker must hold the same keys)\n`,
        `503 heartbeat keys differ: every heartbeat from node "n1" fails authentication with every key this speaker holds; check the key file ${join(dir, 'other-key')} (every speaker must hold the same keys)\n`,
      ]);
      expect(n1).toMatch(/"level":50,.*"peers":\["n2"\],"failed":\{"n2":\d+\},"msg":"heartbeat keys differ: every heartbeat from node \\"n2\\"/);
      expect(n2).toMatch(/"level":50,.*"peers":\["n1"\]/);
      expect(n1).toContain('"reason":"keyMismatch"');
    } finally {
      for (const s of speakers) if (s.child.exitCode === null && s.child.pid !== undefined) process.kill(s.child.pid, 'SIGTERM');
    }
    expect(await Promise.all(speakers.map((s) => s.exited))).toEqual([0, 0]);
  }, 40_000);

  it.each([
    ['a --node-name longer than 255 bytes', () => ['--node-name', 'n'.repeat(300)], '--node-name: node name "nnnn'],
    ['a node name longer than 255 bytes in the configuration', async () => {
      await writeFile(join(dir, 'announce.yaml'), `nodes: [{name: n1, address: 127.0.0.1}, {name: ${'m'.repeat(300)}, address: 127.0.0.9}]\nips: []\n`);
      return ['--node-name', 'n1', '--bind-address', '127.0.0.1'];
    }, 'nodes[1].name: node name "mmmm'],
  ])('refuses %s with an error naming it, before binding anything', async (_story, args, message) => {
    const { code, output } = await run(await args());
    expect(code).toBe(1);
    expect(output).toContain(message);
    expect(output).toContain('is 300 bytes of UTF-8; a heartbeat carries at most 255');
    expect(output).not.toContain('membership started');
    expect(output.length).toBeLessThan(2000);
  });
});
