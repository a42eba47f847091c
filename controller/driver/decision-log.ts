// The lines `kubectl logs` shows for the controller's decisions: one structured line at info for each, with the
// Service, pool, L2Advertisement or BGP object, what was done and why. The core says when a decision is news (decision, readiness), so a Service
// retried every minute for the same reason, or a pool status pass that changed nothing, logs nothing.
import type { Logger } from '../../lib/log.js';
import type { Decision, PoolOutcome, ServiceKey } from '../core-api.js';

const list = (ips: readonly string[]) => ips.join(', ');

function sentence(service: ServiceKey, d: Decision): string {
  const from = d.pool === undefined ? '' : ` from pool "${d.pool}"`;
  switch (d.action) {
    case 'allocated': return `allocated ${list(d.ips)} to ${service}${from}`;
    case 'moved': return `moved ${service} from ${list(d.previous ?? [])} to ${list(d.ips)}${from}`;
    case 'released': return `released ${list(d.previous ?? [])} from ${service}: ${d.why ?? ''}`;
    case 'kept': return `${service} keeps ${list(d.ips)}${from} despite a problem: ${d.why ?? ''}`;
    case 'pending': return `${service} has no IP yet: ${d.why ?? ''}`;
  }
}

export function logDecision(logger: Logger, service: ServiceKey, d: Decision): void {
  logger.info({ service, decision: d.action, ips: d.ips, previous: d.previous, pool: d.pool, why: d.why }, sentence(service, d));
}

type Readiness = NonNullable<PoolOutcome['readiness']>;

const readinessText = (what: string, r: Readiness) => (r.ready ? `${what} is ready: ${r.message}` : `${what} is not ready (${r.reason}): ${r.message}`);

export function logReadiness(logger: Logger, pool: string, r: Readiness): void {
  logger.info({ pool, ready: r.ready, reason: r.reason }, readinessText(`pool "${pool}"`, r));
}

export function logAdvertisementReadiness(logger: Logger, advertisement: string, r: Readiness): void {
  logger.info({ advertisement, ready: r.ready, reason: r.reason }, readinessText(`L2Advertisement "${advertisement}"`, r));
}

/** A BGPPeer's, BGPAdvertisement's, BFDProfile's or Community's readiness: `object` names it as failure logs do. */
export function logBGPReadiness(logger: Logger, kind: string, name: string, r: Readiness): void {
  logger.info({ object: `${kind} ${name}`, ready: r.ready, reason: r.reason }, readinessText(`${kind} "${name}"`, r));
}
