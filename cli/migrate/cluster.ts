// MetalLB's objects as the cluster holds them, in MetalLB's namespace: each of its configuration kinds it serves
// (BGPPeer at v1beta2, else v1beta1; the deprecated AddressPool at v1beta1, else v1alpha1) and the legacy ConfigMap.
// A kind the cluster does not serve (404) is simply absent; a 429 is retried; any other failure stops the migration,
// naming the path.
import { HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import { apiJson } from '../../lib/kube/request.js';
import { apiFailure, describeFailure } from '../../lib/kube/status.js';
import { METALLB_GROUP } from './convert.js';
import type { JsonObject } from './types.js';

/** Plural and the versions to try, newest first. */
const KINDS: readonly { kind: string; plural: string; versions: string[] }[] = [
  { kind: 'IPAddressPool', plural: 'ipaddresspools', versions: ['v1beta1'] },
  { kind: 'L2Advertisement', plural: 'l2advertisements', versions: ['v1beta1'] },
  { kind: 'BGPAdvertisement', plural: 'bgpadvertisements', versions: ['v1beta1'] },
  { kind: 'BGPPeer', plural: 'bgppeers', versions: ['v1beta2', 'v1beta1'] },
  { kind: 'BFDProfile', plural: 'bfdprofiles', versions: ['v1beta1'] },
  { kind: 'Community', plural: 'communities', versions: ['v1beta1'] },
  { kind: 'AddressPool', plural: 'addresspools', versions: ['v1beta1', 'v1alpha1'] },
];

/** As kubectl (client-go) does: a 429 is waited out as the server asks (a CRD's storage just created answers
 *  "storage is (re)initializing"), up to this many times. */
const THROTTLED_ATTEMPTS = 10;
const MAX_WAIT_SECONDS = 10;

async function getOrUndefined<T>(kubeConfig: KubeConfig, path: string): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await apiJson<T>(kubeConfig, { method: HttpMethod.GET, path });
    } catch (err) {
      const failure = apiFailure(err);
      if (failure.code === 404) return undefined;
      if (failure.code !== 429 || attempt >= THROTTLED_ATTEMPTS) {
        throw new Error(`reading ${path}: ${describeFailure(failure)}`, { cause: err });
      }
      const seconds = Math.min(failure.retryAfterSeconds ?? 1, MAX_WAIT_SECONDS);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

/** The objects of one kind at the first version served; items get their apiVersion and kind (a list may omit them). */
async function listKind(kubeConfig: KubeConfig, namespace: string, kind: (typeof KINDS)[number]): Promise<JsonObject[]> {
  for (const version of kind.versions) {
    const path = `/apis/${METALLB_GROUP}/${version}/namespaces/${namespace}/${kind.plural}`;
    const list = await getOrUndefined<{ items?: JsonObject[] }>(kubeConfig, path);
    if (list) return (list.items ?? []).map((item) => ({ ...item, apiVersion: `${METALLB_GROUP}/${version}`, kind: kind.kind }));
  }
  return [];
}

/** Every MetalLB configuration object in `namespace`; an error when there is none at all. */
export async function readMetalLBObjects(kubeConfig: KubeConfig, namespace: string): Promise<JsonObject[]> {
  const objects: JsonObject[] = [];
  for (const kind of KINDS) objects.push(...await listKind(kubeConfig, namespace, kind));
  const configMap = await getOrUndefined<JsonObject>(kubeConfig, `/api/v1/namespaces/${namespace}/configmaps/config`);
  if (configMap) objects.push({ ...configMap, apiVersion: 'v1', kind: 'ConfigMap' });
  if (objects.length === 0) {
    throw new Error(`no MetalLB configuration in namespace "${namespace}": none of ${KINDS.map((k) => `${k.plural}.${METALLB_GROUP}`).join(', ')} `
      + 'and no ConfigMap "config" (give MetalLB\'s namespace with --metallb-namespace, or its manifests with -f)');
  }
  return objects;
}
