// The rules across objects, decided by the controller's own code on the objects a file set would create: the
// pools' problems (lib/config configFromResources), each L2Advertisement's (controller/reconcile
// advertisementProblems) and the BGP objects' (lib/config bgpConfigFromResources). Every message is the one the
// controller writes into that object's Ready condition (joined there by "; also " when there are several).
// What needs a running cluster is left out and said so: whether an advertisement's interfaces exist on a node
// (speakers' presence Leases), and a passwordSecret's Secret when the input holds no Secret.
import type {
  BFDProfile, BGPAdvertisement, BGPPeer, Community, IPAddressPool, L2Advertisement,
} from '../../crds/v1beta1/index.js';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { bgpConfigFromResources, configFromResources, inConditionOrder, type BGPProblem, type PasswordSecrets } from '../../lib/config/index.js';
import { advertisementProblems, wrongNamespaceEvent } from '../../controller/reconcile/index.js';
import type { JsonObject } from './documents.js';

/** A schema-valid Herald object, as the API server would store it. */
export interface HeraldObject {
  kind: string;
  name: string;
  /** undefined: the file names none (kubectl apply uses the context's namespace). */
  namespace: string | undefined;
  object: JsonObject;
}

/** A problem of one object, by kind and name (in herald-system). */
export interface ObjectProblem {
  kind: string;
  name: string;
  message: string;
}

/**
 * An object outside herald-system is never read by the controller. A pool gets the controller's WrongNamespace
 * event text; the other kinds the same sentence, which the controller does not write (it watches only its namespace).
 */
export function wrongNamespace(one: HeraldObject): string | undefined {
  if (one.namespace === undefined || one.namespace === HERALD_NAMESPACE) return undefined;
  if (one.kind === 'IPAddressPool') return wrongNamespaceEvent(one.object as unknown as IPAddressPool, HERALD_NAMESPACE)?.message;
  return `${one.kind} "${one.name}" is in namespace "${one.namespace}" and is not used: `
    + `Herald reads ${one.kind}s only from namespace "${HERALD_NAMESPACE}"; create it there`;
}

/** The objects of one kind, typed as the controller's caches hold them (the schema has checked their shape). */
function ofKind<T>(objects: readonly HeraldObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind).map((o) => o.object as unknown as T);
}

/**
 * Every cross-object problem among `objects` (those Herald would read: schema-valid, in herald-system), and the
 * Secrets a passwordSecret is checked against (undefined: none were given, so it is not checked).
 */
export function crossObjectProblems(objects: readonly HeraldObject[], secrets: PasswordSecrets | undefined): ObjectProblem[] {
  const pools = ofKind<IPAddressPool>(objects, 'IPAddressPool');
  const poolProblems = configFromResources({ pools }).problems.map((p) => ({ kind: 'IPAddressPool', name: p.pool, message: p.message }));
  const l2Problems = ofKind<L2Advertisement>(objects, 'L2Advertisement').flatMap((ad) =>
    advertisementProblems(ad, pools, []).map((p) => ({ kind: 'L2Advertisement', name: ad.metadata.name ?? '', message: p.message })));
  const bgp = bgpConfigFromResources({
    peers: ofKind<BGPPeer>(objects, 'BGPPeer'),
    advertisements: ofKind<BGPAdvertisement>(objects, 'BGPAdvertisement'),
    bfdProfiles: ofKind<BFDProfile>(objects, 'BFDProfile'),
    communities: ofKind<Community>(objects, 'Community'),
    pools,
    ...(secrets ? { secrets } : {}),
  });
  // Each object's problems in the order its Ready condition lists them.
  const byObject = new Map<string, BGPProblem[]>();
  for (const p of bgp.problems) byObject.set(`${p.kind}/${p.name}`, [...(byObject.get(`${p.kind}/${p.name}`) ?? []), p]);
  const bgpProblems = [...byObject.values()].flatMap(inConditionOrder).map((p) => ({ kind: p.kind, name: p.name, message: p.message }));
  return [...poolProblems, ...l2Problems, ...bgpProblems];
}

/** The Secrets of the input in Herald's namespace, as the controller summarizes them (names of keys, never values). */
export function passwordSecrets(objects: readonly JsonObject[]): PasswordSecrets | undefined {
  const secrets = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Secret').flatMap((o) => {
    const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
    if ((meta.namespace ?? HERALD_NAMESPACE) !== HERALD_NAMESPACE) return [];
    // The API server folds stringData into data, so a key in either is a key of the stored Secret.
    const keys = [...new Set([...Object.keys((o.data ?? {}) as object), ...Object.keys((o.stringData ?? {}) as object)])];
    return [{ name: meta.name ?? '', type: typeof o.type === 'string' ? o.type : 'Opaque', keys }];
  });
  if (secrets.length === 0) return undefined;
  return { namespace: HERALD_NAMESPACE, secrets: secrets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}
