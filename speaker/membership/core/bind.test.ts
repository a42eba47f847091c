import { chooseBindAddress } from './bind.js';
import { nodeNameProblem, quoteName } from './names.js';

describe('where the heartbeat socket binds without --bind-address', () => {
  it.each([
    ['the listed IPv4 address', [['a', '192.0.2.1'], ['b', '192.0.2.2']], { address: '192.0.2.1', reason: 'listed' }],
    ['the listed IPv6 address', [['a', '2001:db8::1'], ['b', '2001:db8::2']], { address: '2001:db8::1', reason: 'listed' }],
    ['a wildcard when a peer has the other family', [['a', '192.0.2.1'], ['b', '2001:db8::2']], { address: '::', reason: 'mixedFamilies' }],
    ['a wildcard when this node is not listed', [['b', '192.0.2.2']], { address: '::', reason: 'notListed' }],
  ])('%s', (_story, nodes, choice) => {
    expect(chooseBindAddress('a', nodes.map(([name, address]) => ({ name: name ?? '', address: address ?? '' })))).toEqual(choice);
  });
});

describe('node names on the wire', () => {
  it.each([
    ['n1', null],
    ['', 'node name is empty'],
    ['x'.repeat(255), null],
    ['x'.repeat(256), `node name "${'x'.repeat(40)}"… (256 characters) is 256 bytes of UTF-8; a heartbeat carries at most 255`],
    ['é'.repeat(128), `node name "${'é'.repeat(40)}"… (128 characters) is 256 bytes of UTF-8; a heartbeat carries at most 255`],
  ])('%j → %j', (name, problem) => expect(nodeNameProblem(name)).toBe(problem));

  it('quotes short values whole and escapes what JSON escapes', () => {
    expect(quoteName('n1')).toBe('"n1"');
    expect(quoteName('a"b\n')).toBe('"a\\"b\\n"');
  });
});
