import { canonicalSourceAddress, checkSender, indexSenders, sendersAt } from './senders.js';

describe('canonicalSourceAddress', () => {
  it.each([
    ['192.0.2.11', '192.0.2.11'],
    ['::ffff:192.0.2.11', '192.0.2.11'], // what a dual-stack socket reports for an IPv4 sender
    ['::FFFF:C000:020B', '192.0.2.11'],
    ['2001:DB8:0:0::12', '2001:db8::12'],
    ['2001:db8::12', '2001:db8::12'],
    ['not an address', undefined],
  ])('%s → %s', (text, canonical) => expect(canonicalSourceAddress(text)).toBe(canonical));
});

describe('who may send in whose name', () => {
  const index = indexSenders([
    { name: 'n1', address: '192.0.2.11' },
    { name: 'n2', address: '2001:db8::12' },
    { name: 'bad', address: 'node-3.example' },
    // two speakers on one host (tests, a lab on loopback): told apart by their ports
    { name: 'l1', address: '127.0.0.1', port: 7001 },
    { name: 'l2', address: '127.0.0.1', port: 7002 },
  ]);

  it.each([
    ['n1 from its address', '192.0.2.11', 7946, 'n1', { ok: true }],
    ['n1 from any port of its address (ports are not listed in production)', '192.0.2.11', 40000, 'n1', { ok: true }],
    ['n2 over IPv6', '2001:db8::12', 7946, 'n2', { ok: true }],
    ['n2 in n1\'s name', '2001:db8::12', 7946, 'n1', { ok: false, reason: 'wrongSender' }],
    ['a stranger', '192.0.2.99', 7946, 'n1', { ok: false, reason: 'unknownSender' }],
    ['l1 from its port', '127.0.0.1', 7001, 'l1', { ok: true }],
    ['l1 in l2\'s name', '127.0.0.1', 7001, 'l2', { ok: false, reason: 'wrongSender' }],
    ['a third port on the shared address', '127.0.0.1', 7003, 'l1', { ok: false, reason: 'unknownSender' }],
  ])('%s', (_story, address, port, from, verdict) => {
    expect(checkSender(index, address, port, from)).toMatchObject(verdict);
  });

  it('leaves out a peer whose address is not an IP literal', () => {
    expect([...index.keys()].sort()).toEqual(['127.0.0.1', '192.0.2.11', '2001:db8::12']);
    expect(sendersAt(index, '127.0.0.1', 7002).map((e) => e.name)).toEqual(['l2']);
  });

  it('names the address and the peer listed there when refusing', () => {
    expect(checkSender(index, '2001:db8::12', 7946, 'n1')).toEqual({
      ok: false, reason: 'wrongSender', detail: 'a message in the name of "n1" from 2001:db8::12 port 7946, where "n2" is listed',
    });
  });
});
