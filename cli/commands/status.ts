// `kubectl herald status [SERVICE]`: lists what Herald and the cluster wrote (cli/status/model.ts says what and
// why) and prints it. All namespaces by default, as a cluster-wide overview (`kubectl get svc -A` answers the same
// question: which IP is where); -n NS narrows it and drops the NAMESPACE column, as kubectl does. One SERVICE is
// looked up in -n NS, else in the context's namespace, as `kubectl get svc NAME` does.
import { HttpMethod, type CoreV1Event, type KubeConfig, type V1Namespace, type V1Service } from '@kubernetes/client-node';
import { Command, Option } from 'commander';
import {
  BGPADVERTISEMENT_PLURAL, BGPPEER_PLURAL, GROUP, HERALD_NAMESPACE, IPADDRESSPOOL_PLURAL, L2ADVERTISEMENT_PLURAL, SERVICEBGPSTATUS_PLURAL,
  SERVICEL2STATUS_PLURAL, VERSION,
} from '../../crds/v1beta1/index.js';
import { describeError, httpStatus, isNotFound } from '../../lib/kube/errors.js';
import { apiJson } from '../../lib/kube/request.js';
import { pluginKubeConfig } from '../kube.js';
import { asList, formatStructured, parseOutputFormat } from '../output.js';
import { describeService } from '../status/describe.js';
import { PRESENCE_LABEL, PRESENCE_LABEL_VALUE } from '../../lib/presence.js';
import { serviceStatuses, type ClusterObjects, type PresenceLeaseView } from '../status/model.js';
import { statusItem, statusTable } from '../status/print.js';

const herald = (plural: string, namespace?: string): string =>
  `/apis/${GROUP}/${VERSION}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${plural}`;
const core = (plural: string, namespace?: string): string =>
  `/api/v1${namespace === undefined ? '' : `/namespaces/${namespace}`}/${plural}`;

/** A list's items; a 404 names the kind (Herald's CRDs not installed answer 404). */
export async function listItems<T>(kubeConfig: KubeConfig, path: string, labelSelector?: string): Promise<T[]> {
  try {
    return (await apiJson<{ items?: T[] }>(kubeConfig, { method: HttpMethod.GET, path, query: { labelSelector } })).items ?? [];
  } catch (err) {
    if (isNotFound(err)) throw new Error(`the API server does not serve ${path} (are Herald's CRDs installed?)`, { cause: err });
    throw new Error(`cannot list ${path}: ${describeError(err)}`, { cause: err });
  }
}

/** Namespaces' labels serve only the pool-choice note: without leave to list them, say so instead of failing. */
async function namespacesIfAllowed(kubeConfig: KubeConfig): Promise<V1Namespace[] | undefined> {
  try {
    return (await apiJson<{ items?: V1Namespace[] }>(kubeConfig, { method: HttpMethod.GET, path: core('namespaces') })).items ?? [];
  } catch (err) {
    if (httpStatus(err) === 403) return undefined;
    throw new Error(`cannot list ${core('namespaces')}: ${describeError(err)}`, { cause: err });
  }
}

async function clusterObjects(kubeConfig: KubeConfig, services: V1Service[], namespace: string | undefined, heraldNamespace: string): Promise<ClusterObjects> {
  const [l2Statuses, bgpStatuses, pools, l2Advertisements, bgpAdvertisements, peers, namespaces, speakerLeases] = await Promise.all([
    listItems<ClusterObjects['l2Statuses'][number]>(kubeConfig, herald(SERVICEL2STATUS_PLURAL, namespace)),
    listItems<ClusterObjects['bgpStatuses'][number]>(kubeConfig, herald(SERVICEBGPSTATUS_PLURAL, namespace)),
    listItems<ClusterObjects['pools'][number]>(kubeConfig, herald(IPADDRESSPOOL_PLURAL, heraldNamespace)),
    listItems<ClusterObjects['l2Advertisements'][number]>(kubeConfig, herald(L2ADVERTISEMENT_PLURAL, heraldNamespace)),
    listItems<ClusterObjects['bgpAdvertisements'][number]>(kubeConfig, herald(BGPADVERTISEMENT_PLURAL, heraldNamespace)),
    listItems<ClusterObjects['peers'][number]>(kubeConfig, herald(BGPPEER_PLURAL, heraldNamespace)),
    namespacesIfAllowed(kubeConfig),
    listItems<PresenceLeaseView>(kubeConfig, `/apis/coordination.k8s.io/v1/namespaces/${heraldNamespace}/leases`, `${PRESENCE_LABEL}=${PRESENCE_LABEL_VALUE}`),
  ]);
  return { services, l2Statuses, bgpStatuses, pools, l2Advertisements, bgpAdvertisements, peers, namespaces, speakerLeases, nowMs: Date.now() };
}

async function readService(kubeConfig: KubeConfig, namespace: string, name: string): Promise<V1Service> {
  try {
    return await apiJson<V1Service>(kubeConfig, { method: HttpMethod.GET, path: `${core('services', namespace)}/${encodeURIComponent(name)}` });
  } catch (err) {
    if (isNotFound(err)) throw new Error(`Service "${name}" not found in namespace "${namespace}"`, { cause: err });
    throw new Error(`cannot read Service "${namespace}/${name}": ${describeError(err)}`, { cause: err });
  }
}

interface StatusFlags {
  namespace?: string;
  allNamespaces?: boolean;
  output?: string;
  heraldNamespace: string;
}

/** The namespace the context names, else "default", as kubectl. */
function contextNamespace(kubeConfig: KubeConfig): string {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
}

async function showOne(command: Command, name: string, flags: StatusFlags): Promise<string> {
  if (flags.allNamespaces) throw new Error('a Service is named in one namespace: use -n NAMESPACE, not --all-namespaces');
  const format = parseOutputFormat(flags.output);
  const kubeConfig = pluginKubeConfig(command);
  const namespace = flags.namespace ?? contextNamespace(kubeConfig);
  const service = await readService(kubeConfig, namespace, name);
  if (service.spec?.type !== 'LoadBalancer') throw new Error(`Service "${name}" in namespace "${namespace}" is of type ${service.spec?.type ?? '<none>'}, not LoadBalancer: Herald gives it no IP`);
  const [objects, events] = await Promise.all([
    clusterObjects(kubeConfig, [service], namespace, flags.heraldNamespace),
    listItems<CoreV1Event>(kubeConfig, core('events', namespace)),
  ]);
  const [status] = serviceStatuses(objects);
  if (status === undefined) throw new Error(`Service "${namespace}/${name}" could not be read`);
  if (format === 'json' || format === 'yaml') return formatStructured(statusItem(status), format);
  return describeService(status, events, Date.now());
}

async function showAll(command: Command, flags: StatusFlags): Promise<string> {
  const format = parseOutputFormat(flags.output);
  const kubeConfig = pluginKubeConfig(command);
  const namespace = flags.allNamespaces ? undefined : flags.namespace;
  const services = await listItems<V1Service>(kubeConfig, core('services', namespace));
  const statuses = serviceStatuses(await clusterObjects(kubeConfig, services, namespace, flags.heraldNamespace));
  if (format === 'json' || format === 'yaml') return formatStructured(asList(statuses.map(statusItem)), format);
  if (statuses.length === 0) return '';
  return statusTable(statuses, { wide: format === 'wide', namespaceColumn: namespace === undefined });
}

export function statusCommand(): Command {
  return new Command('status')
    .description('every LoadBalancer IP: its pool, mode, who announces it, and why not; with SERVICE, that Service explained')
    .argument('[service]', 'one Service to explain (in -n NAMESPACE, else the context\'s namespace)')
    .option('-n, --namespace <namespace>', 'only this namespace (default: all namespaces; for SERVICE, the context\'s namespace)')
    .option('-A, --all-namespaces', 'every namespace (the default for the list)')
    .addOption(new Option('-o, --output <format>', 'output format: wide, json or yaml'))
    .option('--herald-namespace <namespace>', 'where Herald\'s pools, advertisements and peers live', HERALD_NAMESPACE)
    .action(async (name: string | undefined, flags: StatusFlags, command: Command) => {
      const text = name === undefined ? await showAll(command, flags) : await showOne(command, name, flags);
      if (text === '' && name === undefined) {
        process.stderr.write(flags.namespace === undefined || flags.allNamespaces ? 'No LoadBalancer Services found\n' : `No LoadBalancer Services found in ${flags.namespace} namespace.\n`);
      }
      process.stdout.write(text);
    });
}
