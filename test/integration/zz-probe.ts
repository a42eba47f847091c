import { startEnv, serviceBody, createPool, ipsOf } from './harness.ts';
import { startControllerProcess } from './processes.ts';
const N = Number(process.argv[2] ?? 1000);
const env = await startEnv();
await createPool(env, 'bench', { addresses: ['10.0.0.0/16'] });
const p = startControllerProcess('x', env.api.kubeconfigPath, ['--no-leader-elect', ...(process.argv[3] ? [process.argv[3]] : [])]);
await p.waitForLog((l) => l.msg === 'leadership term synced', 60000, 'synced');
await env.core.createNamespace({ body: { metadata: { name: 'b' } } });
const t0 = performance.now();
for (let i = 0; i < N; i++) await env.core.createNamespacedService({ namespace: 'b', body: serviceBody('b', `s${i}`, { allocateLoadBalancerNodePorts: false }) });
const t1 = performance.now();
console.log('create', (t1 - t0).toFixed(0));
for (;;) {
  const l = await env.core.listNamespacedService({ namespace: 'b' });
  const n = l.items.filter((s) => ipsOf(s).length > 0).length;
  if (n === N) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log('served', (performance.now() - t0).toFixed(0), 'rss', (p.rssBytes() / 1048576).toFixed(0));
const started = p.lines.find((l) => l.msg === 'controller started');
const m = await (await fetch(`http://127.0.0.1:${started?.metricsPort}/metrics`)).text();
console.log(m.split('\n').filter((l) => /^(nodejs_heap_size|nodejs_external|process_resident|nodejs_heap_space_size_used_bytes)/.test(l)).join('\n'));
await p.stop(); await env.stop();
