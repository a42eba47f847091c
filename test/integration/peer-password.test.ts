// A BGPPeer's passwordSecret through the API (the emulator, or the real kube-apiserver with HERALD_API_BACKEND=real,
// where the speaker runs as the herald-speaker ServiceAccount under config/speaker's RBAC): the Kubernetes source
// reads the Secret, the BGP plan and mode driver open the session with its password as the TCP MD5 key, and the
// Linux kernel judges the key (it drops segments signed with another one, speaker/bgp/driver/transport.test.ts).
// The "router" is a Herald session on loopback listening with a key of its own. Needs root and the addon, as the
// TCP MD5 tests do. On the real backend also: the speaker may read the Secrets of herald-system and of no other
// namespace.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BGPPEER_PLURAL, GROUP, HERALD_NAMESPACE, VERSION, type BGPPeer } from '../../crds/v1beta1/index.js';
import { systemClock } from '../../lib/clock.js';
import { heartbeatSecretBody } from '../../lib/heartbeat-secret.js';
import { createLogger, silentLogger } from '../../lib/log.js';
import { BgpListener, BgpPeer } from '../../speaker/bgp/driver/index.js';
import { BgpModeDriver } from '../../speaker/bgp/mode-driver.js';
import { planBgp } from '../../speaker/bgp/plan.js';
import { sessionConfig } from '../../speaker/bgp/session/index.js';
import { KubernetesSource } from '../../speaker/source/kubernetes/source.js';
import { PeerSessionWriter } from '../../speaker/status/peer-session-writer.js';
import { speakerKubeConfig } from './controller-identity.js';
import { startEnv, waitFor, type Env } from './harness.js';

const logger = (name: string) => (process.env.HERALD_TEST_LOG ? createLogger(name, 'debug') : silentLogger());
const NODE = 'node-a';
const KEY_ONE = 'lab-key-one';
const KEY_TWO = 'lab-key-two-é';

let env: Env;
let speakerKc: KubeConfig;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  env = await startEnv();
  speakerKc = await speakerKubeConfig(env.kc, env.backend.name === 'real', join(env.scratchDir, 'speaker.kubeconfig'));
  await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: heartbeatSecretBody(HERALD_NAMESPACE, randomBytes(32)) });
  await env.core.createNode({ body: { metadata: { name: NODE } } });
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await env?.stop();
});

const passwordSecret = (password: string) => ({
  metadata: { name: 'tor-md5', namespace: HERALD_NAMESPACE }, type: 'kubernetes.io/basic-auth',
  // data, not stringData: the emulator does not fold stringData in.
  data: { username: b64('ignored'), password: b64(password) },
});
const b64 = (text: string): string => Buffer.from(text).toString('base64');

async function readPeer(): Promise<BGPPeer> {
  return await env.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: BGPPEER_PLURAL, name: 'tor' }) as BGPPeer;
}

/** The router: a passive Herald session on 127.0.0.1 whose listener signs with `key`; replaced to change the key. */
async function startRouter(): Promise<{ port: number; listen(key: string): BgpPeer }> {
  const listener = new BgpListener({ port: 0, host: '127.0.0.1', logger: logger('router') });
  await listener.start();
  let current: BgpPeer | null = null;
  cleanups.push(() => listener.stop(), () => current?.abort());
  return {
    port: listener.port,
    listen(key: string): BgpPeer {
      if (current !== null) {
        listener.unregister(current);
        current.abort();
      }
      const config = sessionConfig({ localAsn: 64513, routerId: '10.0.0.254', peerAsn: { kind: 'fixed', asn: 64512 }, peerAddress: '127.0.0.1', passive: true });
      current = new BgpPeer({ config, logger: logger('router'), transport: { ttl: 64, minTtl: 0, ttlRule: 'ebgpDirect', md5Key: key } });
      listener.register(current);
      current.start();
      return current;
    },
  };
}

test('the passwordSecret\'s password is the session\'s TCP MD5 key; a change of the Secret re-keys it; a missing one says why in status', async () => {
  const router = await startRouter();
  await env.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: HERALD_NAMESPACE, plural: BGPPEER_PLURAL,
    body: {
      apiVersion: `${GROUP}/${VERSION}`, kind: 'BGPPeer', metadata: { name: 'tor', namespace: HERALD_NAMESPACE },
      spec: { myASN: 64512, peerASN: 64513, peerAddress: '127.0.0.1', peerPort: router.port, routerID: '10.0.0.1', holdTime: '9s', connectTime: '1s', passwordSecret: { name: 'tor-md5' } },
    },
  });

  // The speaker: its source, the BGP plan for its node, the mode driver and its status writer, wired as the loop does.
  const driver = new BgpModeDriver({ logger: logger('speaker') });
  const source = new KubernetesSource({
    kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node: NODE, address: '192.0.2.11', loadBalancerClass: undefined,
    clock: systemClock, logger: logger('source'), presenceRenewMs: 300,
  });
  let applying = Promise.resolve();
  source.onChange((desired) => { applying = applying.then(() => driver.apply(planBgp({ self: NODE, desired, links: [] }))); });
  const writer = new PeerSessionWriter({ kubeConfig: speakerKc, namespace: HERALD_NAMESPACE, node: NODE, clock: systemClock, logger: logger('writer'), statuses: () => driver.statuses(), pollMs: 100 });
  cleanups.push(() => source.stop(), () => driver.stop(), () => writer.stop());
  await source.start();
  expect(source.liveNodes()).toEqual([NODE]); // its own presence Lease: the live set the status writer prunes by
  writer.start();

  // No Secret yet: no session, and the node's entry says why (never a key: there is none to quote yet).
  const entry = async () => (await readPeer()).status?.nodes?.find((n) => n.node === NODE);
  const missing = await waitFor('the entry saying the Secret is missing', async () => (await entry())?.lastError?.includes('names no Secret') && entry(), 30_000);
  expect(missing).toMatchObject({ state: 'Idle', lastError: 'unusable: BGPPeer "tor": passwordSecret "tor-md5" names no Secret in "herald-system"' });

  // The Secret appears: the session comes up, signed with its password (the router's kernel checks the key).
  let routerSide = router.listen(KEY_ONE);
  await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: passwordSecret(KEY_ONE) });
  await waitFor('Established with the first key', async () => routerSide.status().fsm === 'Established' || undefined, 30_000);
  await waitFor('the entry Established', async () => (await entry())?.state === 'Established' || undefined, 30_000);

  // The Secret changes: the speaker re-keys. A router still on the first key would never see it again; one on the
  // second key does, which the kernel allows only to a session signed with the second key.
  await env.core.replaceNamespacedSecret({ namespace: HERALD_NAMESPACE, name: 'tor-md5', body: passwordSecret(KEY_TWO) });
  routerSide = router.listen(KEY_TWO);
  await waitFor('Established with the second key', async () => routerSide.status().fsm === 'Established' || undefined, 30_000);

  // A Secret of the wrong type: the session goes, the entry says why, and nothing anywhere quotes a key.
  await env.core.replaceNamespacedSecret({ namespace: HERALD_NAMESPACE, name: 'tor-md5', body: { ...passwordSecret(KEY_TWO), type: undefined } }).catch(async () => {
    // The type of a Secret cannot change: delete and create it again as Opaque.
    await env.core.deleteNamespacedSecret({ namespace: HERALD_NAMESPACE, name: 'tor-md5' });
    await env.core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: { ...passwordSecret(KEY_TWO), type: 'Opaque' } });
  });
  await waitFor('the entry saying the type is wrong', async () => (await entry())?.lastError?.includes('must be of type kubernetes.io/basic-auth') || undefined, 30_000);
  await waitFor('the router saw the session end', async () => routerSide.status().fsm !== 'Established' || undefined, 30_000);
  const peerText = JSON.stringify(await readPeer());
  expect(peerText).not.toContain(KEY_ONE);
  expect(peerText).not.toContain('lab-key-two');
}, 120_000);

test('RBAC: the speaker lists and watches the Secrets of herald-system, and reads none elsewhere', async () => {
  if (env.backend.name !== 'real') return; // the emulator checks no credentials
  const core = speakerKc.makeApiClient(CoreV1Api);
  await expect(core.listNamespacedSecret({ namespace: HERALD_NAMESPACE })).resolves.toMatchObject({ items: expect.any(Array) });
  await expect(core.listNamespacedSecret({ namespace: 'default' })).rejects.toMatchObject({ code: 403 });
  await expect(core.listNamespacedSecret({ namespace: 'kube-system' })).rejects.toMatchObject({ code: 403 });
  await expect(core.listSecretForAllNamespaces()).rejects.toMatchObject({ code: 403 });
  // Nor by name, nor any write, even in herald-system.
  await expect(core.readNamespacedSecret({ namespace: HERALD_NAMESPACE, name: 'tor-md5' })).rejects.toMatchObject({ code: 403 });
  await expect(core.createNamespacedSecret({ namespace: HERALD_NAMESPACE, body: { metadata: { name: 'planted' }, data: { x: b64('y') } } })).rejects.toMatchObject({ code: 403 });
  await expect(core.deleteNamespacedSecret({ namespace: HERALD_NAMESPACE, name: 'tor-md5' })).rejects.toMatchObject({ code: 403 });
});
