// `kubectl herald explain SERVICE [-n NAMESPACE] [-o text|json]`: the path a packet takes to one LoadBalancer
// Service (cli/explain/path.ts). This file only reads: the Service, its EndpointSlices, the speakers' status objects
// in its namespace, Nodes and BGPPeers; what the user may not read (403) or the cluster lacks (404) counts as none.
import { Command, Option } from 'commander';
import { HttpMethod, type KubeConfig, type KubernetesObject, type V1EndpointSlice, type V1Node, type V1Service } from '@kubernetes/client-node';
import { GROUP, HERALD_NAMESPACE, SERVICEBGPSTATUS_PLURAL, SERVICEL2STATUS_PLURAL, VERSION, type BGPPeer, type ServiceBGPStatus, type ServiceL2Status } from '../../crds/v1beta1/index.js';
import { describeError, httpStatus, isNotFound } from '../../lib/kube/errors.js';
import { listTrimmed } from '../../lib/kube/list.js';
import { apiJson } from '../../lib/kube/request.js';
import { pluginKubeConfig } from '../kube.js';
import { explainService, type ExplainInput } from '../explain/path.js';
import { printExplanation } from '../explain/print.js';

interface ExplainFlags {
  namespace?: string;
  output: 'text' | 'json';
}

/** The namespace kubectl would use: -n, else the current context's, else "default". */
function namespaceOf(kubeConfig: KubeConfig, flag: string | undefined): string {
  return flag ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
}

/** A list the user may lack (403) or the cluster may not serve (404: Herald's CRDs not installed) reads as empty. */
async function listOrNone<T extends KubernetesObject>(kubeConfig: KubeConfig, path: string, warn: (line: string) => void, labelSelector?: string): Promise<T[]> {
  try {
    return (await listTrimmed<T>(kubeConfig, path, { labelSelector })).items;
  } catch (err) {
    const status = httpStatus(err);
    if (status !== 403 && status !== 404) throw new Error(`listing ${path}: ${describeError(err)}`, { cause: err });
    warn(`warning: cannot list ${path} (${status === 403 ? 'forbidden' : 'not found'}): explaining without it`);
    return [];
  }
}

async function readService(kubeConfig: KubeConfig, namespace: string, name: string): Promise<V1Service> {
  try {
    return await apiJson<V1Service>(kubeConfig, { method: HttpMethod.GET, path: `/api/v1/namespaces/${namespace}/services/${encodeURIComponent(name)}` });
  } catch (err) {
    if (isNotFound(err)) throw new Error(`service "${name}" not found in namespace "${namespace}"`, { cause: err });
    throw new Error(`reading service ${namespace}/${name}: ${describeError(err)}`, { cause: err });
  }
}

export async function readExplainInput(kubeConfig: KubeConfig, namespace: string, name: string, warn: (line: string) => void): Promise<ExplainInput> {
  const service = await readService(kubeConfig, namespace, name);
  const herald = `/apis/${GROUP}/${VERSION}`;
  const [slices, l2Statuses, bgpStatuses, nodes, peers] = await Promise.all([
    listOrNone<V1EndpointSlice>(kubeConfig, `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, warn, `kubernetes.io/service-name=${name}`),
    listOrNone<ServiceL2Status>(kubeConfig, `${herald}/namespaces/${namespace}/${SERVICEL2STATUS_PLURAL}`, warn),
    listOrNone<ServiceBGPStatus>(kubeConfig, `${herald}/namespaces/${namespace}/${SERVICEBGPSTATUS_PLURAL}`, warn),
    listOrNone<V1Node>(kubeConfig, '/api/v1/nodes', warn),
    listOrNone<BGPPeer>(kubeConfig, `${herald}/namespaces/${HERALD_NAMESPACE}/bgppeers`, warn),
  ]);
  return { service, slices, l2Statuses, bgpStatuses, nodes, peers };
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('the path a packet takes to a LoadBalancer Service: VIP → the node that answers → kube-proxy\'s chains → the endpoints')
    .argument('<service>', 'the Service\'s name')
    .option('-n, --namespace <namespace>', 'the Service\'s namespace (default: the context\'s, else "default")')
    .addOption(new Option('-o, --output <format>', 'text, or the explanation as JSON').choices(['text', 'json']).default('text'))
    .action(async (name: string, flags: ExplainFlags, command: Command) => {
      const kubeConfig = pluginKubeConfig(command);
      const namespace = namespaceOf(kubeConfig, flags.namespace);
      const input = await readExplainInput(kubeConfig, namespace, name, (line) => process.stderr.write(`${line}\n`));
      const explanation = explainService(input);
      process.stdout.write(flags.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : printExplanation(explanation));
    });
}
