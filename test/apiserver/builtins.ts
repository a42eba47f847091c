// The built-in resources Herald and kubectl use, with kube-apiserver's names, short names, scopes, verbs
// and per-kind behaviour.
import { crdStrategy } from './crds.js';
import { checkMicroTimes, eventStrategy, eventsV1FromCore, eventsV1Strategy, eventsV1ToCore } from './events.js';
import {
  configMapPrinter, crdListPrinter, endpointSlicePrinter, eventPrinter, leasePrinter, namespacePrinter, nodePrinter, secretPrinter, serviceAccountPrinter,
  servicePrinter,
} from './printers.js';
import { rbacTypes } from './rbac.js';
import { resourceType, storageKeyOf, type ResourceType, type Strategy } from './resource-type.js';
import type { ServiceAllocator } from './services.js';
import { isJsonObject, type KubeObject } from './types.js';
import { workloadTypes } from './workloads.js';

const namespaceStrategy: Strategy = {
  prepareCreate(obj) {
    const spec = isJsonObject(obj.spec) ? obj.spec : {};
    spec.finalizers ??= ['kubernetes'];
    obj.spec = spec;
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  },
  prepareUpdate(obj, old) {
    obj.spec = old.spec; // spec.finalizers changes only through /finalize
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  },
  fieldValue(obj, field) {
    if (field === 'status.phase') return isJsonObject(obj.status) ? String(obj.status.phase ?? '') : '';
    return undefined;
  },
};

const secretStrategy: Strategy = {
  prepareCreate(obj) {
    obj.type ??= 'Opaque';
  },
  fieldValue(obj, field) {
    return field === 'type' ? String(obj.type ?? '') : undefined;
  },
};

const nodeStrategy: Strategy = {
  fieldValue(obj, field) {
    if (field === 'spec.unschedulable') return String(isJsonObject(obj.spec) && obj.spec.unschedulable === true);
    return undefined;
  },
};

/** networking/v1 SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort: policyTypes and each port's protocol. */
function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  obj.spec = spec;
  const rules = (key: string) => (Array.isArray(spec[key]) ? spec[key] : []);
  if (rules('policyTypes').length === 0) spec.policyTypes = rules('egress').length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  for (const rule of [...rules('ingress'), ...rules('egress')]) {
    const ports = isJsonObject(rule) && Array.isArray(rule.ports) ? rule.ports : [];
    for (const port of ports) if (isJsonObject(port)) port.protocol ??= 'TCP';
  }
}
const networkPolicyStrategy: Strategy = { prepareCreate: defaultNetworkPolicy, prepareUpdate: defaultNetworkPolicy };

const leaseMicroTimes = (obj: KubeObject): unknown[] => (isJsonObject(obj.spec) ? [obj.spec.acquireTime, obj.spec.renewTime] : []);
const leaseStrategy: Strategy = {
  prepareCreate: (obj) => checkMicroTimes('Lease', 'v1', leaseMicroTimes(obj)),
  prepareUpdate: (obj) => checkMicroTimes('Lease', 'v1', leaseMicroTimes(obj)),
};

export function builtinTypes(services: ServiceAllocator): ResourceType[] {
  return [
    resourceType({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false,
      shortNames: ['ns'], hasStatus: true, resetStatusOnCreate: true, returnDeletedObject: true,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], strategy: namespaceStrategy, printer: namespacePrinter }),
    resourceType({ group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true,
      shortNames: ['svc'], categories: ['all'], hasStatus: true, resetStatusOnCreate: true, returnDeletedObject: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      strategy: services.strategy(), printer: servicePrinter }),
    resourceType({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false,
      shortNames: ['no'], hasStatus: true, strategy: nodeStrategy, printer: nodePrinter }),
    resourceType({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, strategy: secretStrategy,
      printer: secretPrinter }),
    resourceType({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
      storageKey: storageKeyOf('', 'events'), strategy: eventStrategy, printer: eventPrinter }),
    resourceType({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
      printer: configMapPrinter }),
    resourceType({ group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true,
      shortNames: ['sa'], printer: serviceAccountPrinter }),
    // Groups in kube's discovery order (its apiVersionPriorities): apps, events, networking, rbac, apiextensions, ...
    ...workloadTypes(),
    resourceType({ group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true,
      shortNames: ['ev'], storageKey: storageKeyOf('', 'events'), strategy: eventsV1Strategy, invalidGroup: '',
      fromStorage: eventsV1FromCore, toStorage: eventsV1ToCore }),
    resourceType({ group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true,
      shortNames: ['netpol'], generation: 'spec', strategy: networkPolicyStrategy }),
    ...rbacTypes(),
    resourceType({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'],
      hasStatus: true, resetStatusOnCreate: true, generation: 'spec', strategy: crdStrategy, printer: crdListPrinter }),
    resourceType({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true,
      strategy: leaseStrategy, printer: leasePrinter }),
    resourceType({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice',
      namespaced: true, generation: 'specAndLabels', printer: endpointSlicePrinter }),
  ];
}
