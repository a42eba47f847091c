// A cluster as MetalLB left it, for the cut-over runbook's test: MetalLB's CRDs (a minimal fixture), its objects,
// and LoadBalancer Services whose status holds the IPs "MetalLB assigned", written as MetalLB writes them (the
// status subresource), with MetalLB's annotations on some: a requested IP, a pool, a sharing key.
import { join } from 'node:path';
import type { V1Service } from '@kubernetes/client-node';
import { ensureNamespace, ipsOf, readService, serviceBody, type Env, type ServiceOptions } from '../integration/harness.js';
import { runKubectl, type KubectlRun } from '../support/kubectl.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures/metallb');
export const APPS = 'apps';

export interface MetalLBService { name: string; ip: string; options: ServiceOptions }

/** The Services MetalLB had served from the fixtures' pools (lan, reserved, routed), the same in both forms. */
export const METALLB_SERVICES: readonly MetalLBService[] = [
  { name: 'web', ip: '192.0.2.3', options: { annotations: { 'metallb.io/ip-allocated-from-pool': 'lan' } } },
  { name: 'pinned', ip: '192.0.2.34', options: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.34' } } },
  { name: 'reserved', ip: '198.51.100.2', options: { annotations: { 'metallb.universe.tf/address-pool': 'reserved' } } },
  { name: 'dns-tcp', ip: '192.0.2.5', options: { annotations: { 'metallb.universe.tf/allow-shared-ip': 'dns' }, ports: [{ port: 53, protocol: 'TCP' }] } },
  { name: 'dns-udp', ip: '192.0.2.5', options: { annotations: { 'metallb.universe.tf/allow-shared-ip': 'dns' }, ports: [{ port: 53, protocol: 'UDP' }] } },
  { name: 'routed', ip: '203.0.113.1', options: {} },
];

/** What each pool holds once Herald has taken over: the shared IP counts once. */
export const ASSIGNED_IPV4: Readonly<Record<string, number>> = { lan: 3, reserved: 1, routed: 1 };

async function kubectl(env: Env, home: string, args: string[], stdin?: string): Promise<KubectlRun> {
  const run = await runKubectl(env.backend.kubeconfigPath, home, args, stdin);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run;
}

/** MetalLB's configuration in metallb-system: its CRDs and custom resources, or its legacy ConfigMap. */
export async function installMetalLBConfig(env: Env, home: string, form: 'crs' | 'configmap'): Promise<void> {
  await ensureNamespace(env, 'metallb-system');
  if (form === 'crs') {
    await kubectl(env, home, ['apply', '-f', join(FIXTURES, 'crds.yaml')]);
    await kubectl(env, home, ['wait', '--for=condition=Established', '--timeout=60s', '-f', join(FIXTURES, 'crds.yaml')]);
  }
  await kubectl(env, home, ['apply', '-f', join(FIXTURES, `${form === 'crs' ? 'crs' : 'configmap'}.yaml`)]);
}

/** Creates the Services and writes MetalLB's answer into their status, as its controller does. */
export async function createMetalLBServices(env: Env): Promise<void> {
  await ensureNamespace(env, APPS);
  for (const s of METALLB_SERVICES) {
    await env.core.createNamespacedService({ namespace: APPS, body: serviceBody(APPS, s.name, s.options) });
    const created = await readService(env, APPS, s.name) as V1Service;
    created.status = { loadBalancer: { ingress: [{ ip: s.ip, ipMode: 'VIP' }] } };
    await env.core.replaceNamespacedServiceStatus({ namespace: APPS, name: s.name, body: created });
  }
}

/** Each Service's IPs now, by name. */
export async function serviceIPs(env: Env): Promise<Record<string, string[]>> {
  const list = await env.core.listNamespacedService({ namespace: APPS });
  return Object.fromEntries(list.items.map((svc) => [svc.metadata?.name ?? '', ipsOf(svc)]));
}
