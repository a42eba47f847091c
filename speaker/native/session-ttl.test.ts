import { sessionTtl, type SessionTtl, type SessionTtlInput } from './session-ttl.js';

describe('sessionTtl: what a BGP session sends with and what it accepts (FRR rules, RFC 5082)', () => {
  it.each<[string, SessionTtlInput, SessionTtl]>([
    ['eBGP to a directly connected peer sends 1', { ibgp: false, ebgpMultiHop: false }, { ttl: 1, minTtl: 0, rule: 'ebgpDirect' }],
    ['ebgpMultiHop sends 255', { ibgp: false, ebgpMultiHop: true }, { ttl: 255, minTtl: 0, rule: 'ebgpMultiHop' }],
    ['iBGP sends 255', { ibgp: true, ebgpMultiHop: false }, { ttl: 255, minTtl: 0, rule: 'ibgp' }],
    ['GTSM, directly connected: accepts 255 only', { ibgp: false, ebgpMultiHop: false, gtsmHops: 1 }, { ttl: 255, minTtl: 255, rule: 'gtsm' }],
    ['GTSM, one router between: accepts 254 and up', { ibgp: false, ebgpMultiHop: false, gtsmHops: 2 }, { ttl: 255, minTtl: 254, rule: 'gtsm' }],
    ['GTSM replaces ebgpMultiHop', { ibgp: false, ebgpMultiHop: true, gtsmHops: 254 }, { ttl: 255, minTtl: 2, rule: 'gtsm' }],
    ['GTSM on iBGP', { ibgp: true, ebgpMultiHop: false, gtsmHops: 1 }, { ttl: 255, minTtl: 255, rule: 'gtsm' }],
  ])('%s', (_name, peer, expected) => {
    expect(sessionTtl(peer)).toEqual(expected);
  });

  it.each([0, 255, 1.5, Number.NaN])('refuses GTSM hops %p, naming it', (hops) => {
    expect(() => sessionTtl({ ibgp: false, ebgpMultiHop: false, gtsmHops: hops })).toThrow(`GTSM hops must be an integer in 1..254, got ${hops}`);
  });
});
