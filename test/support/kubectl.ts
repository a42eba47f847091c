// Running the real kubectl from a test: against one API backend's kubeconfig, with a HOME of the test's own so no
// cache or configuration of the user's is read or written, never rejecting (the exit code is part of the answer).
// The plugin's folder is on its PATH (the bundle's, or cli/ with the checkout's launcher), so `kubectl herald …` finds
// the plugin through kubectl's own plugin mechanism; kubectl refuses flags before a plugin's name, so runKubectlPlugin
// hands the plugin the kubeconfig as KUBECONFIG, as a user's shell would.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlCommand } from '../cluster/backend.js';
import { pluginBundleDir } from './plugin-bundle.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface KubectlRun { code: number; stdout: string; stderr: string }

export function runKubectl(kubeconfigPath: string, home: string, args: string[], stdin?: string): Promise<KubectlRun> {
  return kubectlWith(['--kubeconfig', kubeconfigPath, ...args], { HOME: home }, stdin);
}

/**
 * `kubectl herald ARGS` with KUBECONFIG set to the backend's (plus any further environment): the plugin's bundle as
 * users install it (plugin-bundle.ts), or with `launcher` the checkout's cli/kubectl-herald.
 */
export async function runKubectlPlugin(kubeconfigPath: string, home: string, args: string[], env: NodeJS.ProcessEnv = {},
  launcher = false): Promise<KubectlRun> {
  // The bundle's #! line runs `node`: this Node 24 first.
  const pluginDirs = launcher ? [join(repoRoot, 'cli')] : [await pluginBundleDir(), dirname(process.execPath)];
  return kubectlWith(['herald', ...args], { HOME: home, KUBECONFIG: kubeconfigPath, ...env }, undefined, pluginDirs);
}

function kubectlWith(args: string[], env: NodeJS.ProcessEnv, stdin?: string, pluginDirs = [join(repoRoot, 'cli')]): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const path = [...pluginDirs, process.env.PATH ?? ''].join(':');
    const child = execFile(kubectlCommand(), args,
      { cwd: repoRoot, env: { ...process.env, PATH: path, ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

/** A kubectl table's rows keyed by its header, cut at the header's column starts (so empty cells stay empty). */
export function kubectlTable(stdout: string): Record<string, string>[] {
  const [header = '', ...rows] = stdout.trim().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map((row) => Object.fromEntries(starts.map((c, i) => [c.name, row.slice(c.at, starts[i + 1]?.at).trim()])));
}
