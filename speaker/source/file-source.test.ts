import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../lib/log.js';
import { FileSource } from './file-source.js';
import type { DesiredAnnouncements } from './types.js';

const v1 = 'nodes: [{name: n1, address: 192.0.2.11}]\nips: [{ip: 192.0.2.100}]\n';
const v2 = 'nodes: [{name: n1, address: 192.0.2.11}]\nips: [{ip: 192.0.2.101}]\n';

describe('FileSource', () => {
  let dir: string;
  let source: FileSource | null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-source-'));
    source = null;
  });
  afterEach(async () => {
    await source?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function started(text: string): Promise<{ seen: DesiredAnnouncements[]; path: string }> {
    const path = join(dir, 'announce.yaml');
    await writeFile(path, text);
    source = new FileSource({ path, logger: silentLogger(), debounceMs: 20 });
    const seen: DesiredAnnouncements[] = [];
    source.onChange((d) => seen.push(d));
    await source.start();
    return { seen, path };
  }

  const ipsOf = (seen: DesiredAnnouncements[]): string[][] => seen.map((d) => d.ips.map((s) => s.ip));
  const until = async (check: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('delivers the first configuration from start()', async () => {
    const { seen } = await started(v1);
    expect(ipsOf(seen)).toEqual([['192.0.2.100']]);
  });

  it('rejects start() with the bad value named', async () => {
    await expect(started('ips: [{ip: 192.0.2.300}]')).rejects.toThrow('ips[0].ip: "192.0.2.300" is not an IP address');
  });

  it('rejects start() when the file is missing', async () => {
    source = new FileSource({ path: join(dir, 'missing.yaml'), logger: silentLogger() });
    await expect(source.start()).rejects.toThrow('cannot read it');
  });

  it('reloads on an in-place write', async () => {
    const { seen, path } = await started(v1);
    await writeFile(path, v2);
    await until(() => seen.length === 2);
    expect(ipsOf(seen)).toEqual([['192.0.2.100'], ['192.0.2.101']]);
  });

  it('reloads when an editor writes a new file and renames it over the old one', async () => {
    const { seen, path } = await started(v1);
    await writeFile(join(dir, '.announce.yaml.swp'), v2);
    await rename(join(dir, '.announce.yaml.swp'), path);
    await until(() => seen.length === 2);
    expect(ipsOf(seen)).toEqual([['192.0.2.100'], ['192.0.2.101']]);
  });

  it('keeps the last good configuration through a bad save, then takes the next good one', async () => {
    const { seen, path } = await started(v1);
    await writeFile(path, 'ips: [{ip: nope}]');
    await new Promise((r) => setTimeout(r, 150));
    expect(ipsOf(seen)).toEqual([['192.0.2.100']]);
    await writeFile(path, v2);
    await until(() => seen.length === 2);
    expect(ipsOf(seen)).toEqual([['192.0.2.100'], ['192.0.2.101']]);
  });

  it('ignores other files in the directory and saves that change nothing', async () => {
    const { seen, path } = await started(v1);
    await writeFile(join(dir, 'other.yaml'), v2);
    await writeFile(path, `# a comment\n${v1}`);
    await new Promise((r) => setTimeout(r, 150));
    expect(ipsOf(seen)).toEqual([['192.0.2.100']]);
  });

  it('keeps reloading after a listener threw on one configuration', async () => {
    const { seen, path } = await started(v1);
    let throwOnce = true;
    source?.onChange(() => {
      if (throwOnce) {
        throwOnce = false;
        throw new Error('listener bug');
      }
    });
    await writeFile(path, v2);
    await until(() => seen.length === 2);
    await writeFile(path, v1);
    await until(() => seen.length === 3);
    expect(ipsOf(seen)).toEqual([['192.0.2.100'], ['192.0.2.101'], ['192.0.2.100']]);
  });

  it('delivers nothing after stop()', async () => {
    const { seen, path } = await started(v1);
    await source?.stop();
    await writeFile(path, v2);
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toHaveLength(1);
  });
});
