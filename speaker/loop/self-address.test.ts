import type { NodeSpec } from '../source/types.js';
import { selfAddressProblem } from './self-address.js';

const speakers: NodeSpec[] = [{ name: 'n1', address: '192.0.2.11' }, { name: 'n2', address: '2001:db8:1::12' }];

describe('selfAddressProblem', () => {
  it.each<[string, string, string | undefined, boolean]>([
    ['bound to the listed address', 'n1', '192.0.2.11', false],
    ['bound to the IPv4-mapped form of it', 'n1', '::ffff:192.0.2.11', false],
    ['bound to another spelling of a listed IPv6', 'n2', '2001:db8:1:0::12', false],
    ['bound to every address (::)', 'n1', '::', false],
    ['bound to every IPv4 address', 'n1', '0.0.0.0', false],
    ['no bind address given', 'n1', undefined, false],
    ['not listed at all (warned about elsewhere)', 'n9', '192.0.2.99', false],
    ['bound to another address', 'n1', '198.51.100.11', true],
    ['bound to another family', 'n2', '192.0.2.12', true],
  ])('%s → problem: %s', (_name, self, bind, problem) => {
    const found = selfAddressProblem(speakers, self, bind);
    expect(found !== null).toBe(problem);
    if (found !== null) expect(found).toContain(`binds to ${bind}`);
  });
});
