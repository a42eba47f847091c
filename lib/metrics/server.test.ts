import { Gauge, Registry } from 'prom-client';
import { defaultMetricsHost, startMetricsServer, type MetricsServer } from './server.js';

describe('metrics server', () => {
  let server: MetricsServer;
  let failing = false;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    const registry = new Registry();
    new Gauge({ name: 'probe', help: 'a gauge whose collect can fail', registers: [registry], collect() {
      if (failing) throw new Error('collect broke');
      this.set(1);
    } });
    server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: () => undefined });
  });
  afterAll(() => server.stop());

  it('answers HEAD like GET, without a body', async () => {
    const res = await fetch(url('/metrics'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('names the paths it has when asked for another, and echoes nothing of the request', async () => {
    const res = await fetch(url(`/<script>alert(1)</script>${'a'.repeat(8000)}?x=1`));
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('no such path; try /metrics, /healthz or /readyz\n');
  });

  it('binds loopback when told no address, never every interface', async () => {
    const quiet = await startMetricsServer({ registry: new Registry(), port: 0, notReadyReason: () => undefined });
    try {
      expect(quiet.host).toBe('127.0.0.1');
      expect((await fetch(`http://127.0.0.1:${quiet.port}/healthz`)).status).toBe(200);
    } finally {
      await quiet.stop();
    }
  });

  it('answers 500 with the error when a metric cannot be collected', async () => {
    failing = true;
    try {
      const res = await fetch(url('/metrics'));
      expect(res.status).toBe(500);
      expect(await res.text()).toContain('collect broke');
    } finally {
      failing = false;
    }
  });

  it('says where it could not listen, IPv6 hosts in brackets, and keeps the cause', async () => {
    const registry = new Registry();
    await expect(startMetricsServer({ registry, port: server.port, host: '127.0.0.1', notReadyReason: () => undefined }))
      .rejects.toThrow(`metrics server: cannot listen on 127.0.0.1:${server.port}`);
    const taken = await startMetricsServer({ registry, port: 0, host: '::1', notReadyReason: () => undefined }).catch(() => null);
    if (taken === null) return; // no IPv6 loopback on this host
    try {
      const err: unknown = await startMetricsServer({ registry, port: taken.port, host: '::1', notReadyReason: () => undefined }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(`metrics server: cannot listen on [::1]:${taken.port}`);
      expect((err as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await taken.stop();
    }
  });
});

describe('defaultMetricsHost', () => {
  it.each([
    ['the pod\'s IP from the downward API', { POD_IP: '10.244.1.7' }, '10.244.1.7'],
    ['an IPv6 pod IP', { POD_IP: 'fd00:10:244::7' }, 'fd00:10:244::7'],
    ['loopback outside a pod', {}, '127.0.0.1'],
    ['loopback when POD_IP is blank', { POD_IP: ' ' }, '127.0.0.1'],
  ])('%s', (_what, env, host) => {
    expect(defaultMetricsHost(env)).toBe(host);
  });
});
