// A builder for tests: a small IPAddressPool object with only the fields that matter.
import { API_VERSION, type IPAddressPool, type IPAddressPoolSpec } from '../../crds/v1beta1/index.js';

/** `pool('name', ['192.0.2.0/30'], {...})`, created at `created` (ISO), to show that age decides nothing (overlaps). */
export function pool(name: string, addresses: string[], spec: Partial<IPAddressPoolSpec> = {}, created = '2024-01-01T00:00:00Z', generation = 1): IPAddressPool {
  return {
    apiVersion: API_VERSION,
    kind: 'IPAddressPool',
    metadata: { name, namespace: 'herald-system', creationTimestamp: created as unknown as Date, generation },
    spec: { addresses, ...spec },
  };
}
