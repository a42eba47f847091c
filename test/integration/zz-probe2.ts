import { startEnv, serviceBody, createPool, ipsOf, startTestController } from './harness.ts';
import v8 from 'node:v8';
const N = Number(process.argv[2] ?? 1000);
const env = await startEnv();
await createPool(env, 'bench', { addresses: ['10.0.0.0/16'] });
const gc = (globalThis as unknown as { gc: () => void }).gc;
gc(); const h0 = process.memoryUsage().heapUsed;
const c = await startTestController(env);
await new Promise((r) => setTimeout(r, 500));
gc(); const h1 = process.memoryUsage().heapUsed;
await env.core.createNamespace({ body: { metadata: { name: 'b' } } });
for (let i = 0; i < N; i++) await env.core.createNamespacedService({ namespace: 'b', body: serviceBody('b', `s${i}`) });
for (;;) {
  const l = await env.core.listNamespacedService({ namespace: 'b' });
  if (l.items.filter((s) => ipsOf(s).length > 0).length === N) break;
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 1000));
gc(); const h2 = process.memoryUsage().heapUsed;
console.log('MiB: base', (h0/1048576).toFixed(0), 'controller idle', ((h1-h0)/1048576).toFixed(0), `after ${N}`, ((h2-h1)/1048576).toFixed(0));
if (process.argv[3]) v8.writeHeapSnapshot(process.argv[3]);
await c.stop(); await env.stop();
