import { startEnv, serviceBody } from './harness.js';
const env = await startEnv();
await env.core.createNamespace({ body: { metadata: { name: 'b' } } });
let t = performance.now();
for (let i = 0; i < 4000; i++) {
  await env.core.createNamespacedService({ namespace: 'b', body: serviceBody('b', `s${i}`, { allocateLoadBalancerNodePorts: false }) });
  if (i % 1000 === 999) { console.log(i + 1, (performance.now() - t).toFixed(0)); t = performance.now(); }
}
await env.stop();
