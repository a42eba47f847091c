// A proxy between the controller under test and the API server (emulator or kube-apiserver): it passes every request
// through (watches included), records each one with the status it was answered, and can hold the next request that
// matches until the test lets it go. Holding the controller's write is how a test acts on the cluster between the
// controller's decision and the write reaching the server, on either backend.
// The controller talks plain HTTP to the proxy with its own credentials (a bearer token on kube-apiserver, none on
// the emulator); the proxy talks to the server as the kubeconfig says (https with its CA, or http).
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface ProxiedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The server's answer; 0 while it has not answered. */
  status: number;
}

export interface Hold {
  /** Resolves when the matching request has arrived (and is held). */
  arrived: Promise<void>;
  /** Sends it on; resolves with the server's status code. */
  release(): Promise<number>;
}

interface PendingHold {
  method: string;
  path: string;
  arrive: () => void;
  gate: Promise<void>;
  answered: (status: number) => void;
}

export class HoldingProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly holds: PendingHold[] = [];

  private constructor(private readonly server: Server, private readonly upstream: URL, private readonly ca: string | undefined) {}

  /** Starts a proxy to the cluster `kc` talks to. */
  static async start(kc: KubeConfig): Promise<HoldingProxy> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('holding proxy: the kubeconfig has no current cluster');
    const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined;
    const server = createServer();
    const proxy = new HoldingProxy(server, new URL(cluster.server), ca);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void proxy.forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `user`'s kubeconfig (same credentials), pointed at the proxy. */
  kubeConfigFor(user: KubeConfig): KubeConfig {
    const current = user.getCurrentUser();
    if (!current) throw new Error('holding proxy: the kubeconfig has no current user');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'proxy', server: this.url, skipTLSVerify: true }] /* plain http: client-node wants this said */, users: [current],
      contexts: [{ name: 'proxy', cluster: 'proxy', user: current.name }], currentContext: 'proxy',
    });
    return kc;
  }

  /** Holds the next `method` request to exactly `path` (no query) until released. */
  holdNext(method: string, path: string): Hold {
    let arrive = (): void => undefined;
    let open = (): void => undefined;
    let answered = (_status: number): void => undefined;
    const arrived = new Promise<void>((resolve) => { arrive = resolve; });
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const answer = new Promise<number>((resolve) => { answered = resolve; });
    this.holds.push({ method, path, arrive, gate, answered });
    return { arrived, release: () => { open(); return answer; } };
  }

  /** The recorded `method` requests to exactly `path`. */
  sent(method: string, path: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: ProxiedRequest = { method, path, status: 0 };
    this.requests.push(record);
    const at = this.holds.findIndex((h) => h.method === method && h.path === path);
    const hold = at >= 0 ? this.holds.splice(at, 1)[0] : undefined;
    if (hold) {
      hold.arrive();
      await hold.gate;
    }
    const target = new URL(req.url ?? '/', this.upstream);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { ...req.headers, host: target.host };
    const upstream = send(target, { method, headers, ca: this.ca }, (answer) => {
      record.status = answer.statusCode ?? 0;
      hold?.answered(record.status);
      res.writeHead(record.status, answer.headers);
      res.flushHeaders(); // a watch answers its headers long before its first event
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
