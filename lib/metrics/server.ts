// /metrics, /healthz and /readyz on one small HTTP server, for both binaries. /healthz answers while the
// process can run its event loop; /readyz answers 200 when the binary's notReadyReason says nothing (the
// controller: once its caches are synced, a follower too, as a warm spare; the speaker: once it has started),
// else 503 with the reason. GET and HEAD only; a query string is ignored. Nothing a client sends is echoed back.
// It binds one address, by default the pod's own IP (POD_IP, from the downward API's status.podIP: what the
// kubelet's probes and Prometheus reach) or else loopback, never every interface: a hostNetwork pod bound to
// 0.0.0.0 would serve /metrics on every address of its node (docs/controller.md, "Protecting /metrics").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  /** The address to bind; default loopback (a binary passes defaultMetricsHost's, or its flag's). */
  host?: string;
  /** Why the process is not ready yet, or undefined when it is. */
  notReadyReason: () => string | undefined;
}

export interface MetricsServer {
  port: number;
  /** The address bound. */
  host: string;
  stop(): Promise<void>;
}

/** Loopback: what the server binds when neither a flag nor the pod's IP says otherwise. */
export const LOOPBACK = '127.0.0.1';

/**
 * The default bind address of a binary's metrics server: the pod's IP when the manifest passes it (env POD_IP,
 * from the downward API's status.podIP, where the kubelet's probes go), else loopback (a process outside a pod).
 */
export function defaultMetricsHost(env: Readonly<Record<string, string | undefined>>): string {
  const podIP = env.POD_IP?.trim();
  return podIP ? podIP : LOOPBACK;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const reason = opts.notReadyReason();
      res.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'text/plain' }).end(reason === undefined ? 'ok\n' : `${reason}\n`);
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such path; try /metrics, /healthz or /readyz\n');
    }
  });
  const host = opts.host ?? LOOPBACK;
  await new Promise<void>((resolve, reject) => {
    const where = host.includes(':') ? `[${host}]:${opts.port}` : `${host}:${opts.port}`;
    server.once('error', (err) => reject(new Error(`metrics server: cannot listen on ${where}`, { cause: err })));
    server.listen(opts.port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    host,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
