import { createHmac } from 'node:crypto';
import { silentLogger } from '../../lib/log.js';
import { KeyFileWatcher } from './key-file.js';
import { KeyRing, parseHeartbeatKeys } from './keys.js';

const A = 'key-a-0123456789abcdef';
const B = 'key-b-fedcba9876543210';

describe('reading the heartbeat keys', () => {
  it.each([
    ['one key and its trailing newline, as before', `${A}\n`, [A]],
    ['the signing key first, then the one still accepted', `${A}\n${B}\n`, [A, B]],
    ['CRLF line ends and blank lines', `\r\n  ${B}  \r\n\r\n${A}\r\n`, [B, A]],
  ])('%s', (_story, content, keys) => {
    expect(parseHeartbeatKeys(content, 'key file').map((k) => k.toString())).toEqual(keys);
  });

  it('reads a file that is not UTF-8 text as one binary key, byte for byte as earlier builds did', () => {
    const binary = Buffer.from([0x8f, 0x0a, 0x11, 0xfe, 0x20, 0x0a, ...Array.from({ length: 26 }, (_, i) => 0x80 + i)]);
    const earlierBuild = Buffer.from(binary.toString('utf8').trim(), 'utf8');
    expect(parseHeartbeatKeys(binary, 'key file')).toEqual([earlierBuild]);
  });

  it.each([
    ['an empty file', '\n\n', 'key file: no heartbeat key in it'],
    ['a short key, by line and length, never its value', `${A}\nshort\n`, 'key file: the key on line 2 is 5 bytes; need at least 16'],
  ])('refuses %s', (_story, content, message) => {
    expect(() => parseHeartbeatKeys(content, 'key file')).toThrow(message);
  });
});

describe('the key ring', () => {
  it('seals with the first key, opens with every key, and counts the MACs it computes', () => {
    const ring = new KeyRing([Buffer.from(A), Buffer.from(B)]);
    const bytes = Buffer.from('a heartbeat');
    expect(Buffer.from(ring.signing(bytes))).toEqual(createHmac('sha256', A).update(bytes).digest());
    expect(Buffer.from(ring.macs[1]?.(bytes) ?? [])).toEqual(createHmac('sha256', B).update(bytes).digest());
    expect(ring.computed).toBe(2);
  });

  it('refuses no key and a short one', () => {
    expect(() => new KeyRing([])).toThrow('at least one heartbeat key');
    expect(() => new KeyRing([Buffer.from(A), Buffer.alloc(3)])).toThrow('membership key 2 is 3 bytes; need at least 16');
  });
});

describe('re-reading the key file', () => {
  function watcher(files: (string | Error)[]) {
    const changes: string[][] = [];
    const errors: string[] = [];
    const logger = silentLogger();
    logger.error = ((o: { err?: Error }) => { errors.push(o.err?.message ?? ''); }) as typeof logger.error;
    let i = 0;
    const w = new KeyFileWatcher({
      path: '/keys', initial: Buffer.from(`${A}\n`), logger, onChange: (keys) => changes.push(keys.map((k) => k.toString())),
      read: async () => {
        const next = files[Math.min(i++, files.length - 1)];
        if (next instanceof Error) throw next;
        return Buffer.from(next ?? '');
      },
    });
    return { w, changes, errors };
  }

  it('passes on each new content once, and keeps the keys in use when the file is unreadable or bad', async () => {
    const { w, changes, errors } = watcher([`${A}\n`, `${A}\n${B}\n`, `${A}\n${B}\n`, new Error('ENOENT'), 'short\n', `${B}\n${A}\n`]);
    for (let i = 0; i < 6; i++) await w.check();
    expect(changes).toEqual([[A, B], [B, A]]);
    expect(errors).toEqual(['ENOENT', '/keys: the key on line 1 is 5 bytes; need at least 16']);
  });
});
