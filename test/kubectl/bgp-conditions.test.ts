// `kubectl get` of the BGP kinds with the controller running: installed by `kubectl apply -k config/default` (on the
// real backend the controller then runs as the ServiceAccount config/default created, with the roles it bound),
// every BGPPeer, BGPAdvertisement, BFDProfile and Community shows its READY and REASON, and `kubectl describe` the
// Warning event on the object at fault.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runControllerAsServiceAccount, startBareEnv, startTestController, waitFor, waitForCrdsEstablished, type Env } from '../integration/harness.js';
import { kubectlTable, runKubectl } from '../support/kubectl.js';

let env: Env;
let home: string;

async function kubectl(args: string[], stdin?: string): Promise<string> {
  const run = await runKubectl(env.backend.kubeconfigPath, home, args, stdin);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return run.stdout;
}

const obj = (kind: string, name: string, spec: unknown) => JSON.stringify({ apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: 'herald-system' }, spec });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'herald-bgp-conditions-home-'));
  env = await startBareEnv();
}, 90_000);

afterAll(async () => {
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
}, 30_000);

/** NAME -> `READY REASON` of `kubectl get <plural> -n herald-system`, once every row has both filled. */
async function readyColumns(plural: string, count: number): Promise<Record<string, string>> {
  return waitFor(`READY and REASON of ${count} ${plural}`, async () => {
    const rows = kubectlTable(await kubectl(['get', plural, '-n', 'herald-system']));
    return rows.length === count && rows.every((r) => r.READY !== '' && r.REASON !== '')
      ? Object.fromEntries(rows.map((r) => [r.NAME ?? '', `${r.READY} ${r.REASON}`])) : undefined;
  }, 30_000);
}

test('kubectl get shows READY and REASON of every BGP object; describe shows the event on the one at fault', async () => {
  await kubectl(['apply', '-k', 'config/default']);
  await waitForCrdsEstablished(env);
  await runControllerAsServiceAccount(env);
  await startTestController(env);
  await kubectl(['apply', '-f', '-'], [
    obj('IPAddressPool', 'lan', { addresses: ['192.0.2.0/28'] }),
    obj('BFDProfile', 'fast', { receiveInterval: 100 }),
    obj('Community', 'aliases', { communities: [{ name: 'no-export', value: '65535:65281' }] }),
    obj('BGPPeer', 'tor', { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', bfdProfile: 'fast' }),
    obj('BGPPeer', 'rr', { myASN: 64512, peerASN: 64512, peerAddress: '192.0.2.2', ebgpMultiHop: true }),
    obj('BGPPeer', 'md5', { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.3', passwordSecret: { name: 'md5' } }),
    obj('BGPAdvertisement', 'lan', { ipAddressPools: ['lan'], communities: ['no-export'] }),
  ].join('\n---\n'));

  expect(await readyColumns('bgppeers', 3)).toEqual({ tor: 'True Valid', rr: 'False MultiHopWithIBGP', md5: 'False SecretNotFound' });
  expect(await readyColumns('bgpadvertisements', 1)).toEqual({ lan: 'True Valid' });
  expect(await readyColumns('bfdprofiles', 1)).toEqual({ fast: 'True Valid' });
  expect(await readyColumns('communities', 1)).toEqual({ aliases: 'True Valid' });

  const described = await waitFor('the PeerInvalid event in kubectl describe', async () => {
    const text = await kubectl(['describe', 'bgppeer', 'rr', '-n', 'herald-system']);
    return /Warning\s+PeerInvalid/.test(text) ? text : undefined;
  }, 30_000);
  expect(described).toContain('ebgpMultiHop is set on an iBGP session (peerASN 64512 is myASN)');

  // The Secret the peer names is created (as basic-auth, with a password): READY turns True.
  await kubectl(['create', 'secret', 'generic', 'md5', '-n', 'herald-system', '--type=kubernetes.io/basic-auth', '--from-literal=password=s3cret']);
  await waitFor('md5 to turn Ready', async () => (await readyColumns('bgppeers', 3)).md5 === 'True Valid' || undefined, 30_000);
}, 120_000);
