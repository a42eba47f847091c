// An IPAddressPool created outside Herald's namespace is never used (the controller reads pools only from
// herald-system, as MetalLB reads them only from metallb-system). It used to be ignored without a word, so a
// user who applied one to `default` waited for addresses that never came. Now it gets a Warning event saying
// where pools must live (the controller logs every warning event too).
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { boundedMessage } from '../../lib/config/index.js';
import type { CoreEvent } from '../core-api.js';

export type StrayPoolEvent = CoreEvent<'WrongNamespace'>;

/** The event for a pool outside `herald` (Herald's namespace); undefined for a pool inside it. */
export function wrongNamespaceEvent(pool: IPAddressPool, herald: string): StrayPoolEvent | undefined {
  const namespace = pool.metadata.namespace ?? '';
  if (namespace === herald) return undefined;
  const message = `pool "${pool.metadata.name ?? ''}" is in namespace "${namespace}" and is not used: `
    + `Herald reads IPAddressPools only from namespace "${herald}"; create it there`;
  return { type: 'Warning', reason: 'WrongNamespace', message: boundedMessage(message) };
}
