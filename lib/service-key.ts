// Naming a Service: what the controller keys its decisions by and what the speaker's snapshot says an IP is for.
import type { V1Service } from '@kubernetes/client-node';

/** `namespace/name` of a Service. */
export type ServiceKey = `${string}/${string}`;

export function serviceKey(service: V1Service): ServiceKey {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

/** `text` as a ServiceKey, or undefined unless it is `namespace/name` with both parts present and no second slash. */
export function parseServiceKey(text: string): ServiceKey | undefined {
  const parts = text.split('/');
  return parts.length === 2 && parts.every((p) => p !== '') ? (text as ServiceKey) : undefined;
}
