// The test environment installs Herald's CRD as generated, on either backend: a CRD sent through client-node's
// model serializer silently lost its defaults and CEL rules, so these suites ran against a laxer API than users'.
import { createPool, getPool, startEnv, type Env } from './harness.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
}, 90_000);
afterAll(() => env?.stop());

test('the CRD defaults apply to a pool created through the API', async () => {
  await createPool(env, 'defaults', { addresses: ['192.0.2.0/30'] });
  expect((await getPool(env, 'defaults')).spec).toMatchObject({ autoAssign: true, avoidBuggyIPs: false });
});

test('the CRD CEL rules reject a reversed range', async () => {
  await expect(createPool(env, 'reversed', { addresses: ['192.0.2.20-192.0.2.10'] }))
    .rejects.toMatchObject({ code: 422, body: expect.stringContaining('is reversed: its first address is after its last') });
});
