// Records every IP set each Service (by uid) ever showed, from a watch of the test's own, and reports the
// invariants the controller must keep: an IP never moves (a Service that had IPs never shows different
// ones), and no two Services hold the same IP at once unless they share it on purpose.
import { CoreV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { silentLogger } from '../../lib/log.js';
import { ipsOf, startEnv, type Env } from './harness.js';

export interface Move {
  service: string;
  from: string[];
  to: string[];
}

export class IpHistory {
  private readonly watch: ResilientInformer<V1Service>;
  /** uid → every distinct non-empty IP list seen, in order. */
  readonly seen = new Map<string, { key: string; lists: string[][] }>();
  readonly duplicates: string[] = [];

  constructor(kc: KubeConfig) {
    const core = kc.makeApiClient(CoreV1Api);
    this.watch = new ResilientInformer(kc, 'services', '/api/v1/services', () => core.listServiceForAllNamespaces(), silentLogger(), { maxDelayMs: 200 });
    const record = (svc: V1Service): void => this.record(svc);
    this.watch.informer.on('add', record);
    this.watch.informer.on('update', record);
  }

  start(): Promise<void> {
    return this.watch.start();
  }

  stop(): Promise<void> {
    return this.watch.stop();
  }

  private record(svc: V1Service): void {
    const uid = svc.metadata?.uid ?? '';
    const ips = [...ipsOf(svc)].sort();
    if (ips.length === 0) return;
    const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const entry = this.seen.get(uid) ?? { key, lists: [] };
    const last = entry.lists[entry.lists.length - 1];
    if (!last || last.join() !== ips.join()) entry.lists.push(ips);
    this.seen.set(uid, entry);
    this.checkDuplicates();
  }

  /** IPs held by two live Services at once, among Services that do not ask to share. */
  private checkDuplicates(): void {
    const holder = new Map<string, string>();
    for (const svc of this.watch.informer.list()) {
      if (Object.keys(svc.metadata?.annotations ?? {}).some((a) => a.endsWith('/allow-shared-ip'))) continue;
      const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
      for (const ip of ipsOf(svc)) {
        const other = holder.get(ip);
        if (other && other !== key) this.duplicates.push(`${ip}: ${other} and ${key}`);
        holder.set(ip, key);
      }
    }
  }

  /** Services whose IPs changed after they first got some (a later IP list differing from the first). */
  moves(): Move[] {
    const moves: Move[] = [];
    for (const { key, lists } of this.seen.values()) {
      const first = lists[0] ?? [];
      for (const later of lists.slice(1)) {
        // Gaining the second family (dual-stack) keeps the first IP: not a move.
        if (!first.every((ip) => later.includes(ip))) moves.push({ service: key, from: first, to: later });
      }
    }
    return moves;
  }

  servicesWithIPs(): number {
    return this.seen.size;
  }
}

/** One API backend (with Herald's CRDs) and an IpHistory watching it, set up before and torn down after a suite. */
export function useWatchedEnv(): { env: Env; history: IpHistory } {
  const suite = {} as { env: Env; history: IpHistory };
  beforeAll(async () => {
    suite.env = await startEnv();
    suite.history = new IpHistory(suite.env.kc);
    await suite.history.start();
  });
  afterAll(async () => {
    await suite.history.stop();
    await suite.env.stop();
  });
  return suite;
}
