// A speaker's presence Lease carries its node's usable interfaces (lib/presence.ts): written with the first write,
// brought forward to within CHANGE_WRITE_MS of a change, and never put off by changes that keep coming, so the Lease
// is still renewed while a link flaps. The clock is a manual one; the API is the emulator or, with
// HERALD_API_BACKEND=real, kube-apiserver with the speaker's ServiceAccount under config/speaker's RBAC.
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import type { Clock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { INTERFACES_ANNOTATION, INTERFACES_OMITTED_ANNOTATION } from '../../lib/presence.js';
import { CHANGE_WRITE_MS, PresenceLease } from '../../speaker/source/kubernetes/presence-lease.js';
import { speakerKubeConfig } from './controller-identity.js';
import { startEnv, type Env } from './harness.js';

const RENEW_MS = 10_000;

/** Timers fire only when the test moves the clock. */
class ManualClock implements Clock {
  private now = 0;
  private timers: { at: number; cb: () => void; cancelled: boolean }[] = [];
  monotonicMs(): number { return this.now; }
  wallMs(): number { return Date.now(); }
  setTimer(cb: () => void, delayMs: number) {
    const timer = { at: this.now + delayMs, cb, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  /** When the next live timer fires, or undefined. */
  nextAt(): number | undefined {
    const live = this.timers.filter((t) => !t.cancelled).map((t) => t.at);
    return live.length === 0 ? undefined : Math.min(...live);
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => !t.cancelled && t.at <= this.now);
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) t.cb();
  }
}

let env: Env;
beforeAll(async () => {
  env = await startEnv();
}, 120_000);
afterAll(async () => {
  await env?.stop();
}, 60_000);

test('the interfaces go out with the first write, a change within a second, and flapping never starves the renewal', async () => {
  const clock = new ManualClock();
  const renewals: boolean[] = [];
  let renewed: () => void = () => undefined;
  const kc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
  const lease = new PresenceLease({
    kubeConfig: kc, namespace: HERALD_NAMESPACE, node: 'node-a', address: '192.0.2.1', clock, logger: silentLogger(), renewMs: RENEW_MS,
    onRenewal: (ok) => { renewals.push(ok); renewed(); },
  });
  const nextRenewal = () => new Promise<void>((resolve) => { renewed = resolve; });
  const annotations = async () => (await env.kc.makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'herald-speaker-node-a', namespace: HERALD_NAMESPACE })).metadata?.annotations ?? {};
  try {
    lease.setInterfaces(['eth1', 'eth0', 'a,b']);
    await lease.start();
    expect(await annotations()).toMatchObject({ [INTERFACES_ANNOTATION]: 'eth0,eth1', [INTERFACES_OMITTED_ANNOTATION]: '1' });
    expect(clock.nextAt()).toBe(RENEW_MS);

    // A change: the renewal comes forward to within a second, and removes the omitted count.
    lease.setInterfaces(['eth0']);
    expect(clock.nextAt()).toBe(CHANGE_WRITE_MS);
    let done = nextRenewal();
    clock.advance(CHANGE_WRITE_MS);
    await done;
    const written = await annotations();
    expect(written[INTERFACES_ANNOTATION]).toBe('eth0');
    expect(written[INTERFACES_OMITTED_ANNOTATION]).toBeUndefined();

    // The same list again changes nothing; a link flapping every half second never pushes the next write back.
    const before = clock.nextAt() ?? 0;
    lease.setInterfaces(['eth0']);
    expect(clock.nextAt()).toBe(before);
    clock.advance(before - clock.monotonicMs() - 100);
    lease.setInterfaces(['eth0', 'eth9']);
    lease.setInterfaces(['eth0']);
    lease.setInterfaces(['eth0', 'eth9']);
    expect(clock.nextAt()).toBe(before);
    done = nextRenewal();
    clock.advance(100);
    await done;
    expect((await annotations())[INTERFACES_ANNOTATION]).toBe('eth0,eth9');
    expect(renewals.every((ok) => ok)).toBe(true);
  } finally {
    await lease.stop();
  }
}, 60_000);
