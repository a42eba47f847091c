// The plugin's cluster: the kubeconfig kubectl would use (--kubeconfig, else KUBECONFIG, else ~/.kube/config; the
// same loader as the binaries), with --context switching its current context as kubectl's flag does.
import type { Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../lib/kube/config.js';

export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
}

export function pluginKubeConfig(command: Command): KubeConfig {
  const flags = command.optsWithGlobals<ClusterFlags>();
  const { kubeConfig } = loadKubeConfig(flags.kubeconfig);
  if (flags.context !== undefined) {
    if (!kubeConfig.getContexts().some((c) => c.name === flags.context)) {
      throw new Error(`context "${flags.context}" is not in the kubeconfig (it has: ${kubeConfig.getContexts().map((c) => c.name).join(', ')})`);
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  return kubeConfig;
}
