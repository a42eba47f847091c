// The one switch every API suite reads: which Kubernetes API the tests talk to.
//   HERALD_API_BACKEND=emulator (default)  the in-repo emulator (test/apiserver/), started per suite
//   HERALD_API_BACKEND=real                 a real control plane (etcd, kube-apiserver, kube-controller-manager
//                                           built by `npm run cluster -- build`), a new one per suite: taken from
//                                           the pool jest's globalSetup started (test/cluster/pool.ts, HERALD_CP_POOL),
//                                           else started here
// Both hand the suite the same thing: a URL, an admin kubeconfig (file and client-node object) and stop().
// Faults only the emulator can inject (dropped watches, forced 409/410/500, a short watch history) are behind
// `emulator`, which is undefined on the real backend; suites that need it use describeEmulatorOnly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../apiserver/index.js';
import { binariesCurrent } from './build.js';
import { startControlPlane } from './controlplane.js';
import { POOL_ENV, takeControlPlane } from './pool-client.js';
import { binaryDir, binaryPath } from './versions.js';

export type BackendName = 'emulator' | 'real';

function backendFromEnv(): BackendName {
  const value = process.env.HERALD_API_BACKEND ?? 'emulator';
  if (value !== 'emulator' && value !== 'real') throw new Error(`HERALD_API_BACKEND="${value}": use "emulator" or "real"`);
  return value;
}

export const API_BACKEND: BackendName = backendFromEnv();
export const onRealBackend = API_BACKEND === 'real';

/**
 * For suites (or tests) whose subject is an emulator-only fault or knob: they run on the emulator pass only.
 * Functions, so jest's globals are read only when a test file calls them and this module loads outside jest too.
 */
export function describeEmulatorOnly(name: string, fn: () => void): void {
  (onRealBackend ? describe.skip : describe)(name, fn);
}
export function itEmulatorOnly(name: string, fn: jest.ProvidesCallback, timeoutMs?: number): void {
  (onRealBackend ? it.skip : it)(name, fn, timeoutMs);
}

export interface ApiBackend {
  name: BackendName;
  url: string;
  kubeconfigPath: string;
  /** A fresh client-node KubeConfig for the admin (the emulator checks no credentials). */
  kubeConfig(): KubeConfig;
  /** The emulator's own handle (faults, store), on the emulator backend only. */
  emulator?: ApiServer;
  stop(): Promise<void>;
}

function fromKubeconfigFile(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Starts the backend HERALD_API_BACKEND names (or `name`). `emulatorOptions` apply to the emulator only. */
export async function startApiBackend(emulatorOptions: ApiServerOptions = {}, name: BackendName = API_BACKEND): Promise<ApiBackend> {
  if (name === 'emulator') {
    const emulator = await startApiServer(emulatorOptions);
    return { name: 'emulator', url: emulator.url, kubeconfigPath: emulator.kubeconfigPath, kubeConfig: () => emulator.kubeConfig(), emulator, stop: () => emulator.stop() };
  }
  if (!binariesCurrent()) {
    throw new Error(`the real control plane was asked for, but its binaries in ${binaryDir()} are missing or stale: run \`npm run cluster -- build\``);
  }
  const poolSocket = process.env[POOL_ENV];
  const cp = poolSocket ? await takeControlPlane(poolSocket) : await startControlPlane({ dir: mkdtempSync(join(tmpdir(), 'herald-cluster-')) });
  return { name: 'real', url: cp.url, kubeconfigPath: cp.kubeconfigPath, kubeConfig: () => fromKubeconfigFile(cp.kubeconfigPath), stop: () => cp.stop() };
}

/** The kubectl the tests run: the one built with the control plane when there is one, else the one on PATH. */
export function kubectlCommand(): string {
  return binariesCurrent() ? binaryPath('kubectl') : 'kubectl';
}
