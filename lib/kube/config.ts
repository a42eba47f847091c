// Where the binaries find their cluster: an explicit --kubeconfig wins; inside a pod the service account;
// otherwise KUBECONFIG or ~/.kube/config, as kubectl does.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { Agent } from 'undici';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * A KubeConfig whose API calls share one connection pool. client-node 2.0's applySecurityAuthentication
 * builds a new undici Agent for every request whenever TLS options exist (a CA, a client cert, or
 * insecure-skip-tls-verify), so every call opens a fresh connection (and TLS handshake) and leaves it
 * idling: thousands of sockets and hundreds of MiB for a controller writing 10 000 statuses. We keep the
 * first dispatcher made for each cluster+user and hand it to every later request. Headers (tokens) are
 * still applied per request, so rotated service-account tokens keep working; a client certificate that
 * changes on disk needs a restart, as it does for most controllers.
 */
export class ReusingKubeConfig extends KubeConfig {
  private readonly dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const key = JSON.stringify([this.getCurrentCluster()?.name ?? '', this.getCurrentUser()?.name ?? '']);
    const shared = this.dispatchers.get(key);
    if (shared) {
      context.setDispatcher(shared);
      return;
    }
    // Without TLS options or a proxy client-node sets none and its requests share undici's global pool, which
    // resetConnections could not reach: such a cluster gets a plain pool of its own (system CAs, as before).
    const fresh = context.getDispatcher() ?? new Agent();
    context.setDispatcher(fresh);
    this.dispatchers.set(key, fresh);
  }

  /**
   * Drops every pooled connection. A link of this host that went down and came back can leave them dead without
   * either end noticing (seen in the lab: requests on them hung until their timeout), so after such a flap the
   * speaker starts afresh: requests in flight fail (their callers retry), watches end (their informers restart),
   * and the next request connects anew.
   */
  async resetConnections(): Promise<void> {
    const pooled = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(pooled.map((d) => d.destroy().catch(() => undefined)));
  }

  /** A copy of any KubeConfig with connection reuse. */
  static from(kc: KubeConfig): ReusingKubeConfig {
    if (kc instanceof ReusingKubeConfig) return kc;
    const copy = new ReusingKubeConfig();
    copy.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
    return copy;
  }
}

/** The service account token a pod gets mounted (its presence is how we know we run in a pod). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeConfigSource = 'file' | 'in-cluster' | 'default';

export interface LoadedKubeConfig {
  kubeConfig: ReusingKubeConfig;
  source: KubeConfigSource;
}

export interface KubeConfigEnv {
  KUBERNETES_SERVICE_HOST?: string;
  KUBECONFIG?: string;
  HOME?: string;
}

/**
 * Where the cluster is, in kubectl's order: --kubeconfig, then (inside a pod) the service account, then
 * KUBECONFIG, then ~/.kube/config. With none of them it throws at once: client-node would otherwise fall back to
 * http://localhost:8080 and the controller would retry a server that does not exist forever.
 */
export function loadKubeConfig(
  explicitPath: string | undefined,
  env: KubeConfigEnv = process.env,
  tokenPath: string = SERVICE_ACCOUNT_TOKEN,
): LoadedKubeConfig {
  const kubeConfig = new ReusingKubeConfig();
  if (explicitPath) {
    if (!existsSync(explicitPath)) throw new Error(`kubeconfig "${explicitPath}" does not exist`);
    kubeConfig.loadFromFile(explicitPath);
    return { kubeConfig, source: 'file' };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(tokenPath)) {
    kubeConfig.loadFromCluster();
    return { kubeConfig, source: 'in-cluster' };
  }
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  const homeConfig = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  if (files.length === 0 && !(homeConfig && existsSync(homeConfig))) {
    throw new Error('no cluster configured: not inside a pod, KUBECONFIG is not set and ' +
      `${homeConfig ?? '~/.kube/config'} does not exist; pass --kubeconfig FILE or set KUBECONFIG`);
  }
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`kubeconfig "${file}" (from KUBECONFIG) does not exist`);
  }
  const [first, ...rest] = files.length > 0 ? files : [homeConfig ?? ''];
  kubeConfig.loadFromFile(first ?? '');
  for (const file of rest) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    kubeConfig.mergeConfig(more);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error(`no current cluster in ${files.join(delimiter) || homeConfig}: set current-context, or pass --kubeconfig`);
  }
  return { kubeConfig, source: 'default' };
}
