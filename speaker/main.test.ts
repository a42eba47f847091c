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
