// The interface list on a presence Lease: what a speaker writes, and what the controller believes of what it reads.
import {
  INTERFACES_ANNOTATION, INTERFACES_MAX, INTERFACES_OMITTED_ANNOTATION, interfacesAnnotations, isContainerPlumbing,
  isListableInterfaceName, reportedInterfaces,
} from './presence.js';

describe('interfacesAnnotations (the speaker writes)', () => {
  test.each([
    ['sorted, without duplicates', ['eth1', 'eth0', 'eth1'], 'eth0,eth1', null],
    ['no interface at all is an empty list, not a missing one', [], '', null],
    ['a name that cannot be listed (a ",") is counted as left out', ['eth0', 'we,ird'], 'eth0', '1'],
    ['a name longer than IFNAMSIZ allows is counted as left out', ['eth0', 'a234567890123456'], 'eth0', '1'],
  ])('%s', (_rule, names, listed, omitted) => {
    expect(interfacesAnnotations(names)).toEqual({ [INTERFACES_ANNOTATION]: listed, [INTERFACES_OMITTED_ANNOTATION]: omitted });
  });

  test(`at most ${INTERFACES_MAX} names; the rest are counted`, () => {
    const names = Array.from({ length: 70 }, (_, i) => `eth${String(i).padStart(2, '0')}`);
    const written = interfacesAnnotations(names);
    expect(written[INTERFACES_ANNOTATION]?.split(',')).toHaveLength(INTERFACES_MAX);
    expect(written[INTERFACES_OMITTED_ANNOTATION]).toBe('6');
  });
});

describe('reportedInterfaces (the controller reads)', () => {
  const read = (annotations: Record<string, string | null>) =>
    reportedInterfaces(Object.fromEntries(Object.entries(annotations).filter((e): e is [string, string] => e[1] !== null)));

  test.each([
    ['what a speaker wrote reads back complete', ['eth0', 'bond0'], { names: ['bond0', 'eth0'], complete: true }],
    ['a list with names left out reads back incomplete', Array.from({ length: 70 }, (_, i) => `eth${i}`), { complete: false }],
  ])('%s', (_rule, names, expected) => {
    expect(read(interfacesAnnotations(names))).toMatchObject(expected);
  });

  test('a Lease without the annotation (an older speaker) reports nothing', () => {
    expect(reportedInterfaces({ 'herald.dev/heartbeat-address': '192.0.2.1' })).toBeUndefined();
    expect(reportedInterfaces(undefined)).toBeUndefined();
  });

  test.each([
    ['an entry that is not an interface name', 'eth0,../x', ['eth0']],
    ['a duplicate', 'eth0,eth0', ['eth0']],
    ['more than the most a speaker writes', Array.from({ length: 65 }, (_, i) => `e${i}`).join(','), undefined],
    ['a value far too long', 'e,'.repeat(100_000), undefined],
  ])('junk written by someone else is read as incomplete: %s', (_rule, text, names) => {
    const reported = reportedInterfaces({ [INTERFACES_ANNOTATION]: text });
    expect(reported?.complete).toBe(false);
    expect(reported?.names.length).toBeLessThanOrEqual(INTERFACES_MAX);
    if (names) expect(reported?.names).toEqual(names);
  });
});

test.each([
  ['eth0', true], ['a23456789012345', true], ['a234567890123456', false], ['', false], ['.', false], ['..', false],
  ['eth0:1', false], ['a/b', false], ['a b', false], ['a,b', false], ['ethé', false],
])('isListableInterfaceName(%j) is %s', (name, listable) => {
  expect(isListableInterfaceName(name)).toBe(listable);
});

test.each([['lo', true], ['veth1234', true], ['cali0', true], ['kube-ipvs0', true], ['eth0', false], ['lower', false]])(
  'isContainerPlumbing(%j) is %s', (name, plumbing) => {
    expect(isContainerPlumbing(name)).toBe(plumbing);
  });
