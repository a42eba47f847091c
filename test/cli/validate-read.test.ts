// Reading what `kubectl herald validate -f` names, as kubectl reads it: folders recursively (manifests only), several
// documents per file, Lists item by item, stdin, and a parse error named by file and line while the rest is read on.
import { join } from 'node:path';
import { readManifests } from '../../cli/validate/documents.js';
import { validateObjects } from '../../cli/validate/check.js';
import { problemLines, summaryLine } from '../../cli/validate/report.js';

const fixtures = join(import.meta.dirname, 'fixtures/validate');
const noStdin = (): string => { throw new Error('stdin was read'); };

test('a folder is read recursively, .yaml/.yml/.json only, in name order; a List stands for its items', () => {
  const read = readManifests([fixtures], noStdin);
  expect(read.objects.map((o) => `${o.file.slice(fixtures.length + 1)}:${o.line} ${String(o.object.kind)}`)).toEqual([
    'nested/list.json:1 L2Advertisement', 'nested/list.json:1 Service', 'pools.yaml:2 IPAddressPool', 'pools.yaml:10 IPAddressPool',
  ]);
  expect(read.errors).toEqual([{ file: join(fixtures, 'broken.yml'), line: 7, message: expect.stringMatching(/^YAML parse error: .*at line 7, column 1$/) as unknown }]);
});

test('the parse error is a problem line naming the file and line; the good files are still judged', () => {
  const read = readManifests([fixtures], noStdin);
  const report = validateObjects(read.objects, read.errors);
  expect(problemLines(report)).toEqual([expect.stringMatching(new RegExp(`^${join(fixtures, 'broken.yml')}:7: YAML parse error: `)) as unknown]);
  expect(summaryLine(report)).toBe('1 problem; 3 Herald objects valid (2 IPAddressPool, 1 L2Advertisement); 1 other object skipped');
});

test('"-" reads stdin once, however often it is named', () => {
  let reads = 0;
  const stdin = () => { reads++; return 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n'; };
  const read = readManifests(['-', '-'], stdin);
  expect(reads).toBe(1);
  expect(read.objects).toEqual([{ file: '<stdin>', line: 1, object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } } }]);
});

test('a path that does not exist is an error naming it', () => {
  expect(() => readManifests(['/no/such/manifests'], noStdin)).toThrow('the path "/no/such/manifests" does not exist');
});

const object = (kind: string, name: string, namespace: string | undefined, spec: unknown, apiVersion = 'herald.dev/v1beta1') =>
  ({ file: 'f.yaml', line: 1, object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec } });

test.each([
  { what: 'an unknown version of the group', given: object('IPAddressPool', 'p', 'herald-system', { addresses: ['192.0.2.0/28'] }, 'herald.dev/v1'),
    line: 'f.yaml: IPAddressPool/p: no matches for kind "IPAddressPool" in version "herald.dev/v1" (Herald serves herald.dev/v1beta1: IPAddressPool, L2Advertisement, ServiceL2Status, BGPPeer, BGPAdvertisement, BFDProfile, Community, ServiceBGPStatus)' },
  { what: 'a pool in another namespace (the controller\'s WrongNamespace event)', given: object('IPAddressPool', 'p', 'default', { addresses: ['192.0.2.0/28'] }),
    line: 'f.yaml: IPAddressPool/p: pool "p" is in namespace "default" and is not used: Herald reads IPAddressPools only from namespace "herald-system"; create it there' },
  { what: 'no name', given: object('IPAddressPool', '', 'herald-system', { addresses: ['192.0.2.0/28'] }),
    line: 'f.yaml: IPAddressPool/: metadata.name: Required value: name or generateName is required' },
])('$what', ({ given, line }) => {
  expect(problemLines(validateObjects([given]))).toEqual([line]);
});

test('a passwordSecret is checked against the Secrets of the input, and only when there are some', () => {
  const peer = object('BGPPeer', 'tor', 'herald-system', { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', passwordSecret: { name: 'md5', namespace: 'herald-system' } });
  const alone = validateObjects([peer]);
  expect(alone.problems).toEqual([]);
  expect(alone.notes).toContain('passwordSecret not checked: the input holds no Secret (give the Secret\'s manifest too, or let the controller check it)');
  const secret = { file: 's.yaml', line: 1, object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'md5', namespace: 'herald-system' }, type: 'Opaque', stringData: { password: 'x' } } };
  expect(problemLines(validateObjects([peer, secret]))).toEqual([expect.stringMatching(/^f\.yaml: BGPPeer\/tor: .*"md5".*kubernetes\.io\/basic-auth/) as unknown]);
});

test('the same object twice is a problem at the second', () => {
  const pool = object('IPAddressPool', 'p', 'herald-system', { addresses: ['192.0.2.0/28'] });
  expect(problemLines(validateObjects([pool, { ...pool, line: 9 }]))).toEqual(['f.yaml: IPAddressPool/p: defined again (first at f.yaml:1); kubectl apply keeps only the last one']);
});
