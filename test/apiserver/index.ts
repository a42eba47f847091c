// An in-process Kubernetes API server emulator for tests: the real @kubernetes/client-node and the real
// kubectl talk to it over HTTP on 127.0.0.1 as they would to kube-apiserver.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { builtinTypes } from './builtins.js';
import { watchCrds } from './crds.js';
import { Faults } from './faults.js';
import type { HandlerContext } from './handlers.js';
import { writeKubeconfig } from './kubeconfig.js';
import { watchNamespaces } from './namespaces.js';
import { Operations } from './ops.js';
import { TypeRegistry } from './registry.js';
import type { ResourceType } from './resource-type.js';
import { requestListener } from './server.js';
import { DEFAULT_SERVICE_CIDRS, ServiceAllocator } from './services.js';
import { Store } from './store.js';
import { cloneJson, type KubeObject } from './types.js';
import { WatchRegistry } from './watch.js';

export type { FailureRule, FaultCode, Faults, Verb } from './faults.js';
export type { KubeObject } from './types.js';

export interface ApiServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The address to listen on; default 127.0.0.1. */
  host?: string;
  /** One CIDR per family, primary first; default kube's usual 10.96.0.0/12 and fd00:10:96::/108. */
  serviceCIDRs?: string[];
  /** Events kept per resource for watches to resume from; older resourceVersions get 410 Gone. Default 10 000. */
  historyWindow?: number;
  /** How often watches with allowWatchBookmarks get a BOOKMARK; default 5 000 ms. */
  bookmarkIntervalMs?: number;
  /** Called for every request (tests log what kubectl asks for). */
  onRequest?: (req: IncomingMessage) => void;
}

/** Direct store access for tests: what is stored, bypassing HTTP (copies, never live objects). */
export interface StoreAccess {
  get(apiVersion: string, plural: string, namespace: string, name: string): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[];
  resourceVersion(): number;
}

export interface ApiServer {
  url: string;
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  faults: Faults;
  store: StoreAccess;
  /** Number of watch streams open right now. */
  openWatches(): number;
  stop(): Promise<void>;
}

function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/** What kube-apiserver creates at start-up: the system namespaces and the `kubernetes` Service. */
function bootstrap(ops: Operations, registry: TypeRegistry): void {
  const namespaces = registry.find('', 'v1', 'namespaces');
  const services = registry.find('', 'v1', 'services');
  if (!namespaces || !services) throw new Error('internal: core types missing');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) ops.create(namespaces, '', { metadata: { name } });
  ops.create(services, 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  });
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const store = new Store(opts.historyWindow ?? 10_000);
  const registry = new TypeRegistry();
  const services = new ServiceAllocator(opts.serviceCIDRs ?? DEFAULT_SERVICE_CIDRS);
  for (const type of builtinTypes(services)) registry.add(type);
  const ops = new Operations(store);
  watchCrds(store, registry);
  watchNamespaces(store, registry, ops);
  bootstrap(ops, registry);
  const watches = new WatchRegistry();
  const faults = new Faults(watches);
  const ctx: HandlerContext = { store, registry, ops, faults, watches, watchSettings: { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000 } };
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, requestListener(ctx, opts.onRequest));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfig = await writeKubeconfig(url);
  const typeOf = (apiVersion: string, plural: string): ResourceType => {
    const [group, version] = splitApiVersion(apiVersion);
    const type = registry.find(group, version, plural);
    if (!type) throw new Error(`no resource "${plural}" served at ${apiVersion}`);
    return type;
  };
  return {
    url,
    kubeconfigPath: kubeconfig.path,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig.path);
      return kc;
    },
    faults,
    store: {
      get(apiVersion, plural, namespace, name) {
        const type = typeOf(apiVersion, plural);
        const obj = store.get(type.storageKey, namespace, name);
        return obj && cloneJson(ops.present(type, obj));
      },
      list(apiVersion, plural, namespace) {
        const type = typeOf(apiVersion, plural);
        return store.list(type.storageKey, namespace).map((obj) => cloneJson(ops.present(type, obj)));
      },
      resourceVersion: () => store.currentRV(),
    },
    openWatches: () => watches.size,
    async stop() {
      watches.dropAll(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await kubeconfig.remove();
    },
  };
}
