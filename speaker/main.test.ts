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
});
