// A floor for the speaker's memory: what the speaker imports (client-node's KubeConfig, Watch and ListWatch as the
// production bundle narrows them, pino, prom-client, an HTTP server), used once and then idle. The memory bench
// bundles it with scripts/bundle-speaker.ts, as the speaker is, so the two differ only by the speaker's own work.
import { createServer } from 'node:http';
import { KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const watch = new Watch(kubeConfig);
const registry = new Registry();
pino({ level: 'warn' }).info({ watch: typeof watch, listWatch: typeof ListWatch, registry: registry.contentType }, 'idle');
createServer(() => undefined).listen(0, '127.0.0.1');
setInterval(() => undefined, 1000);
