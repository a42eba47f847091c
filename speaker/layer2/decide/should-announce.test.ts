import { shouldAnnounce, type ShouldAnnounceInput } from './should-announce.js';

const base: ShouldAnnounceInput = { self: 'n1', eligible: true, owner: 'n1', quorum: true, interfaces: ['eth0'] };

describe('shouldAnnounce', () => {
  it.each<[string, Partial<ShouldAnnounceInput>, string]>([
    ['owner with quorum and an interface', {}, 'announce'],
    ['not in the eligible list', { eligible: false, owner: 'n2' }, 'notEligible'],
    ['not eligible wins over no quorum', { eligible: false, quorum: false }, 'notEligible'],
    ['owner, but cut off from the others', { quorum: false }, 'noQuorum'],
    ['another node won', { owner: 'n2' }, 'notOwner'],
    ['no eligible node alive', { owner: null }, 'noOwner'],
    ['owner without an interface', { interfaces: [] }, 'noInterface'],
  ])('%s → %s', (_name, over, expected) => expect(shouldAnnounce({ ...base, ...over })).toBe(expected));
});
