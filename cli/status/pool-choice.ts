// Why a Service's IP came from its pool. The controller records the pool (the ip-allocated-from-pool annotation)
// but not which rule chose it, so this reads the Service the way the controller does, with the controller's own
// pure code (controller/reconcile/request.ts decideService, controller/allocator/order.ts), never a second
// allocator: requested IPs first, then the address-pool annotation, then the autoAssign pools in their order
// (serviceAllocation pools by priority, then the others, by name).
import type { V1Service } from '@kubernetes/client-node';
import type { IPAddressPool } from '../../crds/v1beta1/index.js';
import { admission, autoAssignOrder } from '../../controller/allocator/index.js';
import { decideService } from '../../controller/reconcile/request.js';
import { LOADBALANCER_IPS, readAnnotation } from '../../lib/annotations.js';
import { configFromResources, type Labels } from '../../lib/config/index.js';
import { formatAddress } from '../../lib/ip/index.js';
import type { ServiceKey } from '../../lib/service-key.js';

export type PoolChoice =
  /** The Service asked for these IPs; the pool is the one that holds them. */
  | { by: 'requestedIPs'; source: 'loadBalancerIPs annotation' | 'spec.loadBalancerIP'; ips: string[] }
  /** Its address-pool annotation names the pool. */
  | { by: 'addressPoolAnnotation'; pool: string }
  /** The pool's serviceAllocation admits the Service; `order` is the automatic order it was tried in. */
  | { by: 'serviceAllocation'; priority: number | undefined; order: string[] }
  /** An autoAssign pool without serviceAllocation, tried after those with one. */
  | { by: 'autoAssign'; order: string[] }
  /** The pool is not in the Service's automatic order now (autoAssign off, or its serviceAllocation refuses): the
   *  Service keeps an address it was given before, as the controller does (no configuration change takes one away). */
  | { by: 'heldBefore'; order: string[] }
  /** The Service's request cannot be read (the controller's condition says why), or the pool is not usable now. */
  | { by: 'unknown'; why: string };

export interface ChoiceInput {
  service: V1Service;
  /** The pool the controller recorded. */
  pool: string;
  pools: readonly IPAddressPool[];
  /** The namespace's labels (serviceAllocation's namespaceSelectors); undefined when they could not be read. */
  namespaceLabels: Labels | undefined;
}

export function poolChoice({ service, pool, pools, namespaceLabels }: ChoiceInput): PoolChoice {
  const key: ServiceKey = `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
  // The Service's own class: whether Herald serves it is not the question here.
  const decision = decideService(key, service, service.spec?.loadBalancerClass, namespaceLabels ?? {});
  if (decision.kind === 'unmanaged') return { by: 'unknown', why: `the Service is ${decision.why}` };
  if (decision.kind === 'invalid') return { by: 'unknown', why: decision.message };
  const request = decision.request;
  if (request.requestedIPs.length > 0) {
    const annotation = readAnnotation(service.metadata?.annotations, LOADBALANCER_IPS);
    const source = annotation !== undefined && annotation.trim() !== '' ? 'loadBalancerIPs annotation' : 'spec.loadBalancerIP';
    return { by: 'requestedIPs', source, ips: request.requestedIPs.map(formatAddress) };
  }
  if (request.pool !== undefined) return { by: 'addressPoolAnnotation', pool: request.pool };
  const models = configFromResources({ pools }).pools;
  const model = models.find((m) => m.name === pool);
  if (model === undefined) return { by: 'unknown', why: `pool "${pool}" does not exist or is not valid now` };
  const order = autoAssignOrder(models.map((m) => ({ model: m })), request).map((p) => p.model.name);
  if (!order.includes(pool)) return { by: 'heldBefore', order };
  if (model.allocation !== undefined && admission(model, request) === 'admitted') {
    return { by: 'serviceAllocation', priority: model.allocation.priority, order };
  }
  return { by: 'autoAssign', order };
}

/** One line saying why, for `status SERVICE` and the wide table. */
export function choiceText(choice: PoolChoice, pool: string, namespaceLabelsKnown = true): string {
  const unsure = namespaceLabelsKnown ? '' : ' (the namespace\'s labels could not be read: a namespaceSelector may decide otherwise)';
  switch (choice.by) {
    case 'requestedIPs': return `requested: the ${choice.source} asks for ${choice.ips.join(', ')}, which pool "${pool}" holds`;
    case 'addressPoolAnnotation': return `requested: the address-pool annotation names pool "${choice.pool}"`;
    case 'serviceAllocation': return `serviceAllocation: pool "${pool}"${choice.priority === undefined ? '' : ` (priority ${choice.priority})`} admits the Service; automatic order: ${choice.order.join(', ')}${unsure}`;
    case 'autoAssign': return `auto-assign: the first pool in automatic order with a free address: ${choice.order.join(', ')}${unsure}`;
    case 'heldBefore': return `kept: pool "${pool}" is not in the Service's automatic order now (${choice.order.length === 0 ? 'no pool is' : choice.order.join(', ')}), and an address held is never taken away by a configuration change${unsure}`;
    case 'unknown': return `unknown: ${choice.why}`;
  }
}

/** The short form for the wide table's ALLOCATION column. */
export function choiceShort(choice: PoolChoice): string {
  switch (choice.by) {
    case 'requestedIPs': return choice.source === 'spec.loadBalancerIP' ? 'loadBalancerIP' : 'loadBalancerIPs';
    case 'addressPoolAnnotation': return 'address-pool';
    case 'serviceAllocation': return 'serviceAllocation';
    case 'autoAssign': return 'auto-assign';
    case 'heldBefore': return 'kept';
    case 'unknown': return 'unknown';
  }
}
