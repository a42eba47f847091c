// An L2Advertisement's Ready condition as a user sees it: pools and advertisements applied with the real kubectl, the
// real controller (as its ServiceAccount on the real backend) deciding, `kubectl get l2advertisements` showing READY
// and REASON. A speaker's presence Lease, written by the speaker's own PresenceLease (as the herald-speaker
// ServiceAccount on the real backend), says which interfaces its node has. Runs on the emulator and, with
// HERALD_API_BACKEND=real, on kube-apiserver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { PresenceLease } from '../../speaker/source/kubernetes/presence-lease.js';
import { runKubectl } from '../support/kubectl.js';
import { speakerKubeConfig } from './controller-identity.js';
import { eventsFor, startEnv, startTestController, waitFor, type Env } from './harness.js';

let env: Env;
let home: string;
const leases: PresenceLease[] = [];

async function kubectl(args: string[], stdin?: string): Promise<string> {
  const run = await runKubectl(env.backend.kubeconfigPath, home, args, stdin);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

const manifest = (kind: string, name: string, spec?: object): string => JSON.stringify({
  apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: HERALD_NAMESPACE }, ...(spec ? { spec } : {}),
});
const apply = (...docs: string[]) => kubectl(['apply', '-f', '-'], docs.join('\n'));

/** NAME, READY and REASON of every advertisement, as `kubectl get l2advertisements` prints them. */
async function readiness(): Promise<Record<string, string>> {
  const text = await kubectl(['get', 'l2advertisements', '-n', HERALD_NAMESPACE]);
  const [header = '', ...rows] = text.trim().split('\n');
  expect(header.split(/\s{2,}/).slice(0, 3)).toEqual(['NAME', 'READY', 'REASON']);
  return Object.fromEntries(rows.map((row) => {
    const [name = '', ready = '', reason = ''] = row.split(/\s+/);
    return [name, `${ready} ${reason}`];
  }));
}

function waitForReadiness(expected: Record<string, string>): Promise<unknown> {
  let last: Record<string, string> = {};
  return waitFor(`READY/REASON ${JSON.stringify(expected)}`, async () => {
    last = await readiness();
    return Object.entries(expected).every(([name, value]) => last[name] === value) || undefined;
  }, 30_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`);
  });
}

async function conditionMessage(name: string): Promise<string> {
  return kubectl(['get', 'l2advertisement', name, '-n', HERALD_NAMESPACE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].message}']);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-l2adv-status-home-'));
  env = await startEnv();
}, 120_000);

afterAll(async () => {
  for (const lease of leases) await lease.stop();
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

test('a controller that does not lead writes no advertisement status', async () => {
  // Another replica holds the leader Lease for an hour: this one follows all along.
  const now = new Date().toISOString().replace('Z', '000Z');
  await env.kc.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: HERALD_NAMESPACE, body: {
    metadata: { name: 'herald-controller', namespace: HERALD_NAMESPACE },
    spec: { holderIdentity: 'the-other-replica', leaseDurationSeconds: 3600, acquireTime: now as unknown as Date, renewTime: now as unknown as Date },
  } });
  const follower = await startTestController(env, { identity: 'follower', leaderElect: true, timings: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 } });
  await apply(manifest('L2Advertisement', 'while-following', { ipAddressPools: ['nowhere'] }));
  await waitFor('the follower to have seen it', async () => follower.driver.notReadyReason() === undefined);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(follower.isLeader()).toBe(false);
  expect(await conditionMessage('while-following')).toBe('');
  await follower.stop();
  await kubectl(['delete', 'l2advertisement', 'while-following', '-n', HERALD_NAMESPACE]);
}, 60_000);

test('READY and REASON say what is wrong with each advertisement, and recover when it is fixed', async () => {
  await startTestController(env);
  await apply(
    manifest('IPAddressPool', 'lan', { addresses: ['192.0.2.0/28'] }),
    manifest('L2Advertisement', 'everything'),
    manifest('L2Advertisement', 'wants-new', { ipAddressPools: ['new'] }),
    manifest('L2Advertisement', 'bad-selector', { ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }] }),
    manifest('L2Advertisement', 'on-eth9', { ipAddressPools: ['lan'], interfaces: ['eth9'] }),
  );
  // No speaker yet: the interface is not judged, and the message says so.
  await waitForReadiness({
    everything: 'True Valid', 'wants-new': 'False NoPoolSelected', 'bad-selector': 'False InvalidSelector', 'on-eth9': 'True Valid',
  });
  expect(await conditionMessage('wants-new')).toBe('L2Advertisement "wants-new" selects no IPAddressPool: no pool is named "new"; it announces nothing');
  expect(await conditionMessage('on-eth9')).toBe('announces 1 pool "lan"; on "eth9" (not checked: no speaker has a presence Lease yet)');
  const warning = await waitFor('the AdvertisementInvalid event', async () =>
    (await eventsFor(env, HERALD_NAMESPACE, 'wants-new')).find((e) => e.reason === 'AdvertisementInvalid'));
  expect(warning).toMatchObject({ type: 'Warning', involvedObject: { kind: 'L2Advertisement', name: 'wants-new' } });

  // The missing pool is created: the advertisement recovers.
  await apply(manifest('IPAddressPool', 'new', { addresses: ['198.51.100.0/28'] }));
  await waitForReadiness({ 'wants-new': 'True Valid' });
  expect(await conditionMessage('wants-new')).toBe('announces 1 pool "new"');

  // A speaker says which interfaces its node has: eth9 is none of them.
  const kc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
  const lease = new PresenceLease({
    kubeConfig: kc, namespace: HERALD_NAMESPACE, node: 'node-a', address: '192.0.2.200', clock: systemClock, logger: silentLogger(),
    onRenewal: () => undefined,
  });
  leases.push(lease);
  lease.setInterfaces(['eth0', 'bond0']);
  await lease.start();
  await waitForReadiness({ 'on-eth9': 'False UnknownInterface', everything: 'True Valid' });
  expect(await conditionMessage('on-eth9')).toMatch(/^L2Advertisement "on-eth9": interface "eth9" is usable on no node with a speaker/);
  expect(await kubectl(['get', 'lease', 'herald-speaker-node-a', '-n', HERALD_NAMESPACE, '-o', 'jsonpath={.metadata.annotations.herald\\.dev/interfaces}']))
    .toBe('bond0,eth0');

  // The link comes up: the speaker's next write (within a second of the change) lists it.
  lease.setInterfaces(['eth0', 'bond0', 'eth9']);
  await waitForReadiness({ 'on-eth9': 'True Valid' });
  expect(await conditionMessage('on-eth9')).toBe('announces 1 pool "lan"; on "eth9"');
}, 120_000);
