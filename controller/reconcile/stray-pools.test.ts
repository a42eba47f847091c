import { pool } from './fixtures.js';
import { wrongNamespaceEvent } from './stray-pools.js';

const inNamespace = (namespace: string) => {
  const p = pool('ipv4', ['192.0.2.0/24']);
  return { ...p, metadata: { ...p.metadata, namespace } };
};

describe('a pool outside herald-system', () => {
  it('gets a Warning WrongNamespace saying where pools must live', () => {
    expect(wrongNamespaceEvent(inNamespace('default'), 'herald-system')).toEqual({
      type: 'Warning', reason: 'WrongNamespace',
      message: 'pool "ipv4" is in namespace "default" and is not used: Herald reads IPAddressPools only from namespace "herald-system"; create it there',
    });
  });

  it('a pool in herald-system gets none', () => {
    expect(wrongNamespaceEvent(inNamespace('herald-system'), 'herald-system')).toBeUndefined();
  });
});
