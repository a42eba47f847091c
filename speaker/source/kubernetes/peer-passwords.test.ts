// The Secrets the speaker keeps, and a BGPPeer's passwordSecret → the TCP MD5 key its session opens with, rule by
// rule: MetalLB's (a kubernetes.io/basic-auth Secret's "password", in Herald's namespace only), each refusal with
// its reason, and never the value in a message.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { BGPPeer } from '../../../crds/v1beta1/index.js';
import { peerPasswords, secretView, type SecretView } from './peer-passwords.js';

const HEARTBEAT = { name: 'herald-memberlist', key: 'secretkey' };
const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const secret = (name: string, type: string | undefined, data: Record<string, string>): KubernetesObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'herald-system' }, ...(type === undefined ? {} : { type }), data } as KubernetesObject);
const basicAuth = (name: string, password: string | Buffer) => secret(name, 'kubernetes.io/basic-auth', { username: b64('ignored'), password: b64(password) });
const peer = (name: string, passwordSecret?: { name: string; namespace?: string }): BGPPeer =>
  ({ apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: { name }, spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...(passwordSecret ? { passwordSecret } : {}) } });

describe('secretView', () => {
  test('a basic-auth Secret keeps its password, besides the summary lib/config judges', () => {
    expect(secretView(basicAuth('tor-md5', 'lab-key'), HEARTBEAT)).toEqual({
      name: 'tor-md5', type: 'kubernetes.io/basic-auth', keys: ['password', 'username'], password: { ok: true, value: 'lab-key' },
    });
  });

  test('any other Secret keeps no value: an Opaque one with a "password" key, a token', () => {
    expect(secretView(secret('opaque', 'Opaque', { password: b64('x') }), HEARTBEAT)).toEqual({ name: 'opaque', type: 'Opaque', keys: ['password'] });
    expect(secretView(secret('untyped', undefined, { token: b64('t') }), HEARTBEAT)).toEqual({ name: 'untyped', type: undefined, keys: ['token'] });
  });

  test('the heartbeat Secret keeps its keys (secret-keys.ts), and only that one', () => {
    const key = 'k'.repeat(32);
    const view = secretView(secret('herald-memberlist', 'Opaque', { secretkey: b64(`${key}\n`) }), HEARTBEAT);
    expect(view.heartbeat).toMatchObject({ ok: true, keys: [Buffer.from(key)] });
    expect(secretView(secret('other', 'Opaque', { secretkey: b64(`${key}\n`) }), HEARTBEAT).heartbeat).toBeUndefined();
    expect(secretView(secret('herald-memberlist', 'Opaque', {}), HEARTBEAT).heartbeat).toEqual({ ok: false, problem: 'it has no "secretkey" entry' });
  });

  test('a password that is not UTF-8 is refused, without its bytes', () => {
    expect(secretView(basicAuth('bad', Buffer.from([0xff, 0xfe, 0x41])), HEARTBEAT).password).toEqual({ ok: false, why: 'its "password" is not UTF-8 text' });
  });
});

describe('peerPasswords', () => {
  const views = (...objects: KubernetesObject[]): { namespace: string; secrets: SecretView[] } =>
    ({ namespace: 'herald-system', secrets: objects.map((o) => secretView(o, HEARTBEAT)) });
  const outcome = (ref: { name: string; namespace?: string }, ...objects: KubernetesObject[]) => peerPasswords([peer('tor', ref)], views(...objects)).get('tor');

  test.each<[string, { name: string; namespace?: string }, KubernetesObject[], string]>([
    ['the Secret is missing', { name: 'tor-md5' }, [], 'BGPPeer "tor": passwordSecret "tor-md5" names no Secret in "herald-system"'],
    ['the Secret is in another namespace (never read there)', { name: 'tor-md5', namespace: 'default' }, [basicAuth('tor-md5', 'k')],
      'BGPPeer "tor": passwordSecret "default/tor-md5" is in namespace "default": Herald reads a peer\'s Secret from "herald-system" only; move the Secret there'],
    ['the Secret is not of type basic-auth', { name: 'tor-md5' }, [secret('tor-md5', 'Opaque', { password: b64('k') })],
      'BGPPeer "tor": passwordSecret "tor-md5" is a Secret of type "Opaque"; it must be of type kubernetes.io/basic-auth'],
    ['the Secret has no "password" key', { name: 'tor-md5' }, [secret('tor-md5', 'kubernetes.io/basic-auth', { username: b64('u') })],
      'BGPPeer "tor": passwordSecret "tor-md5" has no "password" key'],
    ['its password is empty', { name: 'tor-md5' }, [basicAuth('tor-md5', '')],
      'BGPPeer "tor": passwordSecret "tor-md5": the password is empty (leave it out for no TCP MD5 signature)'],
    ['its password is longer than the kernel\'s 80 bytes', { name: 'tor-md5' }, [basicAuth('tor-md5', 'é'.repeat(41))],
      'BGPPeer "tor": passwordSecret "tor-md5": the password is 82 bytes of UTF-8 (41 characters); the kernel takes a TCP MD5 key of at most 80 bytes'],
    ['its password is not UTF-8', { name: 'tor-md5' }, [basicAuth('tor-md5', Buffer.from([0xc3]))],
      'BGPPeer "tor": passwordSecret "tor-md5": its "password" is not UTF-8 text'],
  ])('refused when %s', (_rule, ref, objects, why) => {
    expect(outcome(ref, ...objects)).toEqual({ ok: false, why });
  });

  test('a usable Secret gives the key, also when the reference names herald-system itself', () => {
    expect(outcome({ name: 'tor-md5' }, basicAuth('tor-md5', 'lab-key-é'))).toEqual({ ok: true, password: 'lab-key-é' });
    expect(outcome({ name: 'tor-md5', namespace: 'herald-system' }, basicAuth('tor-md5', 'lab-key'))).toEqual({ ok: true, password: 'lab-key' });
  });

  test('only peers naming a Secret get an entry; each its own Secret', () => {
    const map = peerPasswords([peer('plain'), peer('a', { name: 'sa' }), peer('b', { name: 'sb' })], views(basicAuth('sa', 'key-a'), basicAuth('sb', 'key-b')));
    expect([...map]).toEqual([['a', { ok: true, password: 'key-a' }], ['b', { ok: true, password: 'key-b' }]]);
  });

  test('no message quotes the value, whatever is wrong with it', () => {
    const value = 'do-not-show-me'.repeat(6); // 84 bytes: too long
    const why = (outcome({ name: 's' }, basicAuth('s', value)) as { why: string }).why;
    expect(why).not.toContain('do-not-show-me');
    expect(JSON.stringify(outcome({ name: 's' }, secret('s', 'Opaque', { password: b64('do-not-show-me') })))).not.toContain('do-not-show-me');
  });
});
