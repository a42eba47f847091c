// Where the binaries find their cluster: an explicit --kubeconfig wins; inside a pod the service account;
// otherwise KUBECONFIG or ~/.kube/config, as kubectl does.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** The service account token a pod gets mounted (its presence is how we know we run in a pod). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeConfigSource = 'file' | 'in-cluster' | 'default';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
}

export interface KubeConfigEnv {
  KUBERNETES_SERVICE_HOST?: string;
}

export function loadKubeConfig(
  explicitPath: string | undefined,
  env: KubeConfigEnv = process.env,
  tokenPath: string = SERVICE_ACCOUNT_TOKEN,
): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  if (explicitPath) {
    if (!existsSync(explicitPath)) throw new Error(`kubeconfig "${explicitPath}" does not exist`);
    kubeConfig.loadFromFile(explicitPath);
    return { kubeConfig, source: 'file' };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(tokenPath)) {
    kubeConfig.loadFromCluster();
    return { kubeConfig, source: 'in-cluster' };
  }
  kubeConfig.loadFromDefault();
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error('no cluster configured: pass --kubeconfig, set KUBECONFIG, or run inside a pod');
  }
  return { kubeConfig, source: 'default' };
}
