// The columns kube-apiserver prints for each built-in kind (pkg/printers/internalversion) and for a CRD's
// additionalPrinterColumns, so `kubectl get` shows what it shows against a real cluster.
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import type { Printer, PrinterColumn } from './resource-type.js';
import { AGE_COLUMN, NAME_COLUMN, age } from './table.js';
import { isJsonObject, type JsonObject, type KubeObject } from './types.js';

export function column(name: string, priority = 0, type: PrinterColumn['type'] = 'string', description = ''): PrinterColumn {
  return { name, type, priority, description, format: '' };
}

export function field(obj: unknown, ...path: string[]): unknown {
  let current = obj;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

export function list(obj: unknown, ...path: string[]): JsonObject[] {
  const value = field(obj, ...path);
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

export function text(value: unknown, fallback = '<none>'): string {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : fallback;
}

export function formatLabels(labels: unknown): string {
  if (!isJsonObject(labels) || Object.keys(labels).length === 0) return '<none>';
  return Object.keys(labels).sort().map((k) => `${k}=${String(labels[k])}`).join(',');
}

/** kube-apiserver prints tables with Wide set, so the 16-character cut kubectl's own printer makes never happens. */
function loadBalancerIPs(svc: KubeObject): string {
  return list(svc, 'status', 'loadBalancer', 'ingress').map((i) => text(i.ip, '') || text(i.hostname, '')).filter((s) => s !== '').join(',');
}

function serviceExternalIP(svc: KubeObject): string {
  const type = field(svc, 'spec', 'type');
  const externalIPs = (field(svc, 'spec', 'externalIPs') as string[] | undefined) ?? [];
  if (type === 'ExternalName') return text(field(svc, 'spec', 'externalName'));
  if (type === 'LoadBalancer') {
    const lb = loadBalancerIPs(svc);
    const all = [lb, ...externalIPs].filter((s) => s !== '').join(',');
    return all === '' ? '<pending>' : all;
  }
  return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
}

function servicePorts(svc: KubeObject): string {
  const ports = list(svc, 'spec', 'ports');
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${text(p.protocol, 'TCP')}`).join(',');
}

export const servicePrinter: Printer = {
  columns: [NAME_COLUMN, column('Type'), column('Cluster-IP'), column('External-IP'), column('Port(s)'), AGE_COLUMN,
    column('Selector', 1)],
  cells: (svc, now) => [svc.metadata.name, text(field(svc, 'spec', 'type')), text(field(svc, 'spec', 'clusterIP')),
    serviceExternalIP(svc), servicePorts(svc), age(svc, now), formatLabels(field(svc, 'spec', 'selector'))],
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status'), AGE_COLUMN],
  cells: (ns, now) => [ns.metadata.name, text(field(ns, 'status', 'phase'), ''), age(ns, now)],
};

function nodeStatus(node: KubeObject): string {
  const ready = list(node, 'status', 'conditions').find((c) => c.type === 'Ready');
  const states = [ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown'];
  if (field(node, 'spec', 'unschedulable') === true) states.push('SchedulingDisabled');
  return states.join(',');
}

function nodeRoles(node: KubeObject): string {
  const labels = node.metadata.labels ?? {};
  const roles = Object.keys(labels).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
  if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
  return roles.length > 0 ? roles.sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, kind: string): string {
  return text(list(node, 'status', 'addresses').find((a) => a.type === kind)?.address);
}

export const nodePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status'), column('Roles'), AGE_COLUMN, column('Version'), column('Internal-IP', 1),
    column('External-IP', 1), column('OS-Image', 1), column('Kernel-Version', 1), column('Container-Runtime', 1)],
  cells: (node, now) => [node.metadata.name, nodeStatus(node), nodeRoles(node), age(node, now),
    text(field(node, 'status', 'nodeInfo', 'kubeletVersion'), ''), nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
    text(field(node, 'status', 'nodeInfo', 'osImage'), '<unknown>'), text(field(node, 'status', 'nodeInfo', 'kernelVersion'), '<unknown>'),
    text(field(node, 'status', 'nodeInfo', 'containerRuntimeVersion'), '<unknown>')],
};

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder'), AGE_COLUMN],
  cells: (lease, now) => [lease.metadata.name, text(field(lease, 'spec', 'holderIdentity'), ''), age(lease, now)],
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, column('Type'), column('Data', 0, 'string'), AGE_COLUMN],
  cells: (secret, now) => [secret.metadata.name, text(secret.type, ''),
    Object.keys(isJsonObject(secret.data) ? secret.data : {}).length, age(secret, now)],
};

export const crdListPrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 0, 'date')],
  cells: (crd) => [crd.metadata.name, crd.metadata.creationTimestamp ?? ''],
};

function eventTime(event: KubeObject, now: number): string {
  const last = text(event.lastTimestamp, '') || text(field(event, 'series', 'lastObservedTime'), '') || text(event.eventTime, '');
  if (!last) return '<unknown>';
  return age({ metadata: { creationTimestamp: last } }, now);
}

export const eventPrinter: Printer = {
  columns: [column('Last Seen'), column('Type'), column('Reason'), column('Object'), column('Subobject', 1),
    column('Source', 1), column('Message'), column('First Seen', 1), column('Count', 1), column('Name', 1)],
  cells: (event, now) => {
    const involved = isJsonObject(event.involvedObject) ? event.involvedObject : {};
    return [eventTime(event, now), text(event.type, ''), text(event.reason, ''),
      `${text(involved.kind, '').toLowerCase()}/${text(involved.name, '')}`, text(involved.fieldPath, ''),
      text(field(event, 'source', 'component'), '') || text(event.reportingComponent, ''), text(event.message, ''),
      event.firstTimestamp ? age({ metadata: { creationTimestamp: String(event.firstTimestamp) } }, now) : '<unknown>',
      typeof event.count === 'number' ? event.count : 1, event.metadata.name];
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [NAME_COLUMN, column('AddressType'), column('Ports'), column('Endpoints'), AGE_COLUMN],
  cells: (slice, now) => {
    const ports = list(slice, 'ports').map((p) => String(p.port ?? '')).join(',');
    const addresses = list(slice, 'endpoints').flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(String) : []));
    const shown = addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
    return [slice.metadata.name, text(slice.addressType, ''), ports || '<unset>', shown || '<unset>', age(slice, now)];
  },
};

/** A CRD version's additionalPrinterColumns after NAME; NAME and AGE alone when it defines none (as kube). */
export function crdPrinter(definitions: JsonObject[]): Printer {
  const custom = definitions.map((d) => ({
    column: { name: String(d.name ?? ''), type: (d.type ?? 'string') as PrinterColumn['type'], format: String(d.format ?? ''),
      description: String(d.description ?? ''), priority: Number(d.priority ?? 0) },
    steps: parseJsonPath(String(d.jsonPath ?? '')),
  }));
  const defaultAge = definitions.length === 0;
  return {
    columns: [NAME_COLUMN, ...custom.map((c) => c.column), ...(defaultAge ? [AGE_COLUMN] : [])],
    cells: (obj, now) => [obj.metadata.name, ...custom.map(({ column: c, steps }) => {
      const value = evaluateJsonPath(obj, steps)[0];
      if (value === undefined || value === null) return null;
      if (c.type === 'date') return typeof value === 'string' ? age({ metadata: { creationTimestamp: value } }, now) : null;
      if (c.type === 'string' && typeof value !== 'string') return typeof value === 'object' ? JSON.stringify(value) : String(value);
      return value;
    }), ...(defaultAge ? [age(obj, now)] : [])],
  };
}

/** kube 1.37 prints only the name and age of a ServiceAccount (its Secrets column is gone). */
export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (sa, now) => [sa.metadata.name, age(sa, now)],
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 0, 'integer'), AGE_COLUMN],
  cells: (cm, now) => {
    const count = (value: unknown): number => (isJsonObject(value) ? Object.keys(value).length : 0);
    return [cm.metadata.name, count(cm.data) + count(cm.binaryData), age(cm, now)];
  },
};
