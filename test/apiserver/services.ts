// Service defaulting and allocation as kube-apiserver does it, to the extent Herald depends on it: type,
// sessionAffinity, traffic policies, ipFamilies/ipFamilyPolicy from the configured service CIDRs, clusterIPs
// per family, NodePorts (and healthCheckNodePort for externalTrafficPolicy: Local), loadBalancerClass
// immutability, port names, and the status's ingress ipMode (defaulted to VIP on a LoadBalancer). Values the
// client leaves out on update are carried over from the stored object, as kube's "patchAllocatedValues" does.
import { IPRangeAllocator, PortAllocator, familyOf, type IPFamily } from './allocators.js';
import { invalid, type FieldError } from './errors.js';
import { deepEqual } from './patch/json-util.js';
import type { Strategy, Tx } from './resource-type.js';
import { isJsonObject, type JsonObject, type KubeObject } from './types.js';

interface ServicePort extends JsonObject { name?: string; port?: number; protocol?: string; nodePort?: number; targetPort?: unknown }
interface Ingress extends JsonObject { ip?: string; ipMode?: string }

interface ServiceSpec extends JsonObject {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: IPFamily[];
  ipFamilyPolicy?: string;
  ports?: ServicePort[];
  sessionAffinity?: string;
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
}

export const DEFAULT_SERVICE_CIDRS = ['10.96.0.0/12', 'fd00:10:96::/108'];

function specOf(obj: KubeObject): ServiceSpec {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as ServiceSpec;
}

function fail(obj: KubeObject, errors: FieldError[]): never {
  throw invalid('Service', '', obj.metadata.name ?? '', errors);
}

export class ServiceAllocator {
  private readonly ranges: IPRangeAllocator[];
  readonly nodePorts = new PortAllocator();

  constructor(cidrs: string[]) {
    this.ranges = cidrs.map((cidr) => new IPRangeAllocator(cidr));
    const families = new Set(this.ranges.map((r) => r.family));
    if (this.ranges.length === 0 || this.ranges.length > 2 || families.size !== this.ranges.length) {
      throw new Error(`service CIDRs ${JSON.stringify(cidrs)}: need one, or one IPv4 and one IPv6`);
    }
  }

  get families(): IPFamily[] {
    return this.ranges.map((r) => r.family);
  }

  range(family: IPFamily): IPRangeAllocator | undefined {
    return this.ranges.find((r) => r.family === family);
  }

  strategy(): Strategy {
    return {
      prepareCreate: (obj, tx) => this.prepareCreate(obj, tx),
      prepareUpdate: (obj, old, tx) => this.prepareUpdate(obj, old, tx),
      released: (obj) => this.release(obj),
      validate: (obj) => [...validatePortNames(specOf(obj)), ...validateIngress(obj)],
      fieldValue: (obj, field) => {
        const spec: ServiceSpec = isJsonObject(obj.spec) ? obj.spec : {}; // a read: never adds a spec to a stored object
        if (field === 'spec.clusterIP') return spec.clusterIP ?? '';
        if (field === 'spec.type') return spec.type ?? '';
        return undefined;
      },
    };
  }

  private prepareCreate(obj: KubeObject, tx: Tx): void {
    const spec = specOf(obj);
    applyDefaults(spec);
    obj.status = { loadBalancer: {} };
    if (spec.type === 'ExternalName') return;
    this.defaultFamilies(obj, spec);
    this.allocateClusterIPs(obj, spec, tx);
    this.allocatePorts(obj, spec, undefined, tx);
  }

  private prepareUpdate(obj: KubeObject, old: KubeObject, tx: Tx): void {
    const spec = specOf(obj);
    const oldSpec = specOf(old);
    applyDefaults(spec);
    if (spec.type === 'LoadBalancer') defaultIPMode(obj);
    // dropTypeDependentFields: a Service that stops being a LoadBalancer loses its load-balancer status at once.
    if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && isJsonObject(obj.status)) obj.status = { ...obj.status, loadBalancer: {} };
    if (spec.type === 'ExternalName') return;
    const carried = ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const;
    for (const key of carried) if (spec[key] === undefined || spec[key] === '') Object.assign(spec, { [key]: oldSpec[key] });
    if (oldSpec.clusterIPs && !deepEqual(spec.clusterIPs, oldSpec.clusterIPs)) {
      fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', value: spec.clusterIPs,
        message: 'may not change once set' }]);
    }
    if (oldSpec.loadBalancerClass !== undefined && spec.type !== 'LoadBalancer' && spec.loadBalancerClass === oldSpec.loadBalancerClass) {
      delete spec.loadBalancerClass; // kube drops type-dependent fields when the type changes away
    }
    if (oldSpec.loadBalancerClass !== undefined && spec.type === 'LoadBalancer' && spec.loadBalancerClass !== oldSpec.loadBalancerClass) {
      fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.loadBalancerClass', value: spec.loadBalancerClass ?? null,
        message: 'may not change once set' }]);
    }
    if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && oldSpec.loadBalancerClass === undefined
      && spec.loadBalancerClass !== undefined) {
      fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.loadBalancerClass', value: spec.loadBalancerClass,
        message: 'may not change once set' }]);
    }
    this.defaultFamilies(obj, spec);
    this.allocatePorts(obj, spec, oldSpec, tx);
  }

  private defaultFamilies(obj: KubeObject, spec: ServiceSpec): void {
    const configured = this.families;
    const fromIPs = (spec.clusterIPs ?? (spec.clusterIP && spec.clusterIP !== 'None' ? [spec.clusterIP] : []))
      .map((ip) => familyOf(ip));
    const requested = spec.ipFamilies?.length ? spec.ipFamilies : fromIPs.filter((f): f is IPFamily => f !== undefined);
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = requested.length === 2 ? 'RequireDualStack' : 'SingleStack';
    const policy = spec.ipFamilyPolicy;
    if (!['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(policy)) {
      fail(obj, [{ type: 'FieldValueNotSupported', field: 'spec.ipFamilyPolicy', value: policy,
        message: 'supported values: "SingleStack", "PreferDualStack", "RequireDualStack"' }]);
    }
    if (policy === 'SingleStack' && requested.length > 1) {
      fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.ipFamilyPolicy', value: policy,
        message: 'must be RequireDualStack or PreferDualStack when multiple IP families are specified' }]);
    }
    if (policy === 'RequireDualStack' && configured.length < 2) {
      fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.ipFamilyPolicy', value: policy,
        message: 'this cluster is not configured for dual-stack services' }]);
    }
    requested.forEach((family, i) => {
      if (!configured.includes(family)) {
        fail(obj, [{ type: 'FieldValueInvalid', field: `spec.ipFamilies[${i}]`, value: family,
          message: 'not configured on this cluster' }]);
      }
    });
    const primary = requested[0] ?? configured[0] ?? 'IPv4';
    const families: IPFamily[] = [primary];
    if (policy !== 'SingleStack') {
      const secondary = requested[1] ?? configured.find((f) => f !== primary);
      if (secondary) families.push(secondary);
    }
    spec.ipFamilies = families;
  }

  private allocateClusterIPs(obj: KubeObject, spec: ServiceSpec, tx: Tx): void {
    if (spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    const wanted = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
    const ips = (spec.ipFamilies ?? []).map((family, i) => {
      const range = this.range(family);
      if (!range) throw new Error(`internal: no service range for family ${family}`);
      const ip = wanted[i];
      if (ip !== undefined && ip !== '') {
        const result = range.allocate(ip);
        if (result !== 'ok') {
          fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: wanted,
            message: result === 'taken' ? `failed to allocate IP ${ip}: provided IP is already allocated`
              : `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.cidr}` }]);
        }
        tx.onRollback(() => range.release(ip));
        return ip;
      }
      const next = range.allocateNext();
      if (next === undefined) {
        fail(obj, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: wanted,
          message: `failed to allocate IP: range ${range.cidr} is full` }]);
      }
      tx.onRollback(() => range.release(next));
      return next;
    });
    spec.clusterIPs = ips;
    spec.clusterIP = ips[0] ?? '';
  }

  private takePort(obj: KubeObject, field: string, wanted: number | undefined, tx: Tx): number {
    if (wanted !== undefined) {
      const result = this.nodePorts.allocate(wanted);
      if (result !== 'ok') {
        fail(obj, [{ type: 'FieldValueInvalid', field, value: wanted,
          message: result === 'taken' ? 'provided port is already allocated'
            : `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.range}` }]);
      }
      tx.onRollback(() => this.nodePorts.release(wanted));
      return wanted;
    }
    const port = this.nodePorts.allocateNext();
    if (port === undefined) fail(obj, [{ type: 'FieldValueInvalid', field, value: 0, message: 'no free node ports' }]);
    tx.onRollback(() => this.nodePorts.release(port));
    return port;
  }

  /** NodePorts for NodePort/LoadBalancer Services; on update, ports kept by (port, protocol) stay where they were. */
  private allocatePorts(obj: KubeObject, spec: ServiceSpec, oldSpec: ServiceSpec | undefined, tx: Tx): void {
    const needsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    const oldPorts = new Map<string, number>();
    for (const p of oldSpec?.ports ?? []) if (p.nodePort) oldPorts.set(`${p.port}/${p.protocol}`, p.nodePort);
    const kept = new Set<number>();
    (spec.ports ?? []).forEach((port, i) => {
      const previous = oldPorts.get(`${port.port}/${port.protocol}`);
      if (port.nodePort === undefined && previous !== undefined && (needsNodePorts || spec.type === 'LoadBalancer')) {
        port.nodePort = previous;
      }
      if (port.nodePort !== undefined && port.nodePort === previous) {
        kept.add(previous);
        return;
      }
      if (port.nodePort !== undefined || needsNodePorts) {
        port.nodePort = this.takePort(obj, `spec.ports[${i}].nodePort`, port.nodePort, tx);
      }
    });
    for (const port of oldPorts.values()) if (!kept.has(port)) tx.onCommit(() => this.nodePorts.release(port));
    this.allocateHealthCheckPort(obj, spec, oldSpec, tx);
  }

  private allocateHealthCheckPort(obj: KubeObject, spec: ServiceSpec, oldSpec: ServiceSpec | undefined, tx: Tx): void {
    const needs = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
    const old = oldSpec?.healthCheckNodePort;
    if (!needs) {
      delete spec.healthCheckNodePort;
    } else if (spec.healthCheckNodePort === undefined && old !== undefined) {
      spec.healthCheckNodePort = old;
    } else if (spec.healthCheckNodePort !== old || old === undefined) {
      spec.healthCheckNodePort = this.takePort(obj, 'spec.healthCheckNodePort', spec.healthCheckNodePort, tx);
    }
    if (old !== undefined && spec.healthCheckNodePort !== old) tx.onCommit(() => this.nodePorts.release(old));
  }

  release(obj: KubeObject): void {
    const spec = specOf(obj);
    for (const ip of spec.clusterIPs ?? []) {
      const family = familyOf(ip);
      if (family) this.range(family)?.release(ip);
    }
    for (const port of spec.ports ?? []) if (port.nodePort) this.nodePorts.release(port.nodePort);
    if (spec.healthCheckNodePort) this.nodePorts.release(spec.healthCheckNodePort);
  }
}

function applyDefaults(spec: ServiceSpec): void {
  spec.type ??= 'ClusterIP';
  if (spec.type === 'ExternalName') return;
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') spec.externalTrafficPolicy ??= 'Cluster';
  else delete spec.externalTrafficPolicy;
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  else delete spec.allocateLoadBalancerNodePorts;
  for (const port of spec.ports ?? []) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
  }
  if (spec.type !== 'LoadBalancer' && spec.type !== 'NodePort') {
    for (const port of spec.ports ?? []) delete port.nodePort;
  }
}

function ingressOf(obj: KubeObject): Ingress[] {
  const loadBalancer = isJsonObject(obj.status) ? obj.status.loadBalancer : undefined;
  const ingress = isJsonObject(loadBalancer) ? loadBalancer.ingress : undefined;
  return Array.isArray(ingress) ? ingress.filter(isJsonObject) : [];
}

/** SetDefaults_Service: on a LoadBalancer, an ingress ip without an ipMode gets VIP (a copy: stored values stay as they are). */
function defaultIPMode(obj: KubeObject): void {
  const ingress = ingressOf(obj);
  if (!ingress.some((i) => i.ip && i.ipMode === undefined) || !isJsonObject(obj.status) || !isJsonObject(obj.status.loadBalancer)) return;
  const withMode = ingress.map((i) => (i.ip && i.ipMode === undefined ? { ...i, ipMode: 'VIP' } : i));
  obj.status = { ...obj.status, loadBalancer: { ...obj.status.loadBalancer, ingress: withMode } };
}

/** validateServicePort: with more than one port each needs a name, and names are unique. */
function validatePortNames(spec: ServiceSpec): FieldError[] {
  const ports = spec.ports ?? [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  ports.forEach((port, i) => {
    if (!port.name) {
      if (ports.length > 1) errors.push({ type: 'FieldValueRequired', field: `spec.ports[${i}].name`, message: '' });
    } else if (seen.has(port.name)) {
      errors.push({ type: 'FieldValueDuplicate', field: `spec.ports[${i}].name`, value: port.name, message: '' });
    } else {
      seen.add(port.name);
    }
  });
  return errors;
}

/** ValidateLoadBalancerStatus: ingress only on a LoadBalancer, and an ipMode exactly when there is an ip. */
function validateIngress(obj: KubeObject): FieldError[] {
  const ingress = ingressOf(obj);
  if (ingress.length > 0 && specOf(obj).type !== 'LoadBalancer') {
    return [{ type: 'FieldValueForbidden', field: 'status.loadBalancer.ingress', message: "may only be used when `spec.type` is 'LoadBalancer'" }];
  }
  return ingress.flatMap((item, i): FieldError[] => {
    const field = `status.loadBalancer.ingress[${i}].ipMode`;
    if (item.ipMode === undefined) return item.ip ? [{ type: 'FieldValueRequired', field, message: 'must be specified when `ip` is set' }] : [];
    if (!item.ip) return [{ type: 'FieldValueForbidden', field, message: 'may not be specified when `ip` is not set' }];
    if (item.ipMode !== 'Proxy' && item.ipMode !== 'VIP') {
      return [{ type: 'FieldValueNotSupported', field, value: item.ipMode, message: 'supported values: "Proxy", "VIP"' }];
    }
    return [];
  });
}
