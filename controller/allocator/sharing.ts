// MetalLB's sharing rules: Services may share an address only when all of them carry the same
// allow-shared-ip key, no two of them use the same port and protocol, and they have the same backend key
// (the pod selector, which matters when externalTrafficPolicy is Local: the address must lead to the same pods).
import type { SharingTerms } from './types.js';

export type ShareRefusal = 'noKey' | 'differentKey' | 'portClash' | 'differentBackend';

export function shareRefusal(mine: SharingTerms, theirs: SharingTerms): ShareRefusal | undefined {
  if (mine.key === undefined || theirs.key === undefined) return 'noKey';
  if (mine.key !== theirs.key) return 'differentKey';
  if (mine.backendKey !== theirs.backendKey) return 'differentBackend';
  const taken = new Set(theirs.ports.map((p) => `${p.protocol}/${p.port}`));
  if (mine.ports.some((p) => taken.has(`${p.protocol}/${p.port}`))) return 'portClash';
  return undefined;
}

export function describeRefusal(refusal: ShareRefusal): string {
  switch (refusal) {
    case 'noKey': return 'not both Services carry an allow-shared-ip key';
    case 'differentKey': return 'their allow-shared-ip keys differ';
    case 'differentBackend': return 'they select different pods while externalTrafficPolicy is Local';
    case 'portClash': return 'they use the same port and protocol';
  }
}
