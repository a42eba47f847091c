import { Registry } from 'prom-client';
import { startMetricsServer } from '../lib/metrics/server.js';
import { registerSpeakerMetrics, SpeakerReadiness, type SpeakerFigures } from './metrics.js';

describe('speaker metrics', () => {
  const figures: SpeakerFigures = {
    announcer: { framesSent: 7, framesReceived: 12, requestsAnswered: 3, sendErrors: 0,
      drops: { otherHost: 2, notRequest: 4, gratuitous: 0, notOwned: 5, wrongInterface: 0, fromSelf: 0, malformed: 1, invalid: 1 } },
    loop: { announceFailures: 2, retries: 1, retriesExhausted: 0, reannounced: 6 },
    announcements: [{ ip: '192.0.2.100', ifname: 'eth0' }, { ip: '192.0.2.100', ifname: 'eth1' }, { ip: '2001:db8::1', ifname: 'eth0' }],
    aliveMembers: 3,
    quorum: true,
    heartbeatsSent: 40,
    heartbeatsDropped: { badMac: 2 },
    membership: {
      datagrams: 1000, accepted: 30, sent: 40, sendErrors: 1, rejoins: 2, macs: 71, behind: 9, dropped: { badMac: 2 },
      kernelDropped: 123_456, filteredAddresses: 2,
    },
  };

  it('reports the parts\' figures on /metrics, and /healthz answers', async () => {
    const registry = new Registry();
    let current = figures;
    registerSpeakerMetrics(registry, () => current);
    const server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: () => undefined });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      for (const line of [
        'herald_speaker_owned_ips 2',
        'herald_speaker_announced{ip="192.0.2.100",interface="eth1"} 1',
        'herald_speaker_frames_sent_total 7',
        'herald_speaker_reannounced_total 6',
        'herald_speaker_requests_answered_total 3',
        'herald_speaker_frames_dropped_total{reason="notOwned"} 5',
        'herald_speaker_alive_members 3',
        'herald_speaker_quorum 1',
        'herald_speaker_heartbeats_dropped_total{reason="badMac"} 2',
        'herald_speaker_announce_failures_total 2',
        'herald_speaker_announce_retries_total 1',
        'herald_speaker_frames_dropped_total{reason="otherHost"} 2',
        'herald_speaker_frames_dropped_total{reason="invalid"} 1',
        'herald_speaker_heartbeat_datagrams_total 1000',
        'herald_speaker_heartbeat_accepted_total 30',
        'herald_speaker_heartbeat_send_errors_total 1',
        'herald_speaker_heartbeat_macs_total 71',
        'herald_speaker_heartbeat_behind_total 9',
        'herald_speaker_heartbeat_kernel_dropped_total 123456',
        'herald_speaker_heartbeat_rejoins_total 2',
        'herald_speaker_heartbeat_filter_addresses 2',
      ]) expect(text).toContain(line);
      current = { ...figures, announcer: { ...figures.announcer, framesSent: 9 }, quorum: false, announcements: [] };
      const again = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(again).toContain('herald_speaker_frames_sent_total 9');
      expect(again).toContain('herald_speaker_quorum 0');
      expect(again).not.toContain('herald_speaker_announced{');
      expect(again).toContain('herald_speaker_heartbeat_macs_total 71');
      current = { ...current, membership: undefined }; // before membership is built
      const early = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(early).toContain('herald_speaker_heartbeat_kernel_dropped_total 0');
      expect(early).toContain('herald_speaker_heartbeat_filter_addresses 0');
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe('the speaker\'s metrics server', () => {
  const figures: SpeakerFigures = {
    announcer: { framesSent: 1, framesReceived: 0, requestsAnswered: 0, sendErrors: 0, drops: { otherHost: 0, notRequest: 0, gratuitous: 0, notOwned: 0, wrongInterface: 0, fromSelf: 0, malformed: 0, invalid: 0 } },
    loop: { announceFailures: 0, retries: 0, retriesExhausted: 0, reannounced: 0 },
    announcements: [], aliveMembers: 1, quorum: false, heartbeatsSent: 0, heartbeatsDropped: {},
  };
  let readiness: SpeakerReadiness;
  let server: Awaited<ReturnType<typeof startMetricsServer>>;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeEach(async () => {
    const registry = new Registry();
    registerSpeakerMetrics(registry, () => figures);
    readiness = new SpeakerReadiness();
    server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', notReadyReason: readiness.notReadyReason });
  });
  afterEach(() => server.stop());

  it('answers /metrics with a query string, as a scraper may send one', async () => {
    const res = await fetch(url('/metrics?x=1'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('herald_speaker_frames_sent_total 1');
    expect((await fetch(url('/healthz?verbose'))).status).toBe(200);
  });

  it('refuses POST with 405 and says which methods it allows', async () => {
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      const res = await fetch(url(path), { method: 'POST', body: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('/readyz is 503 "not started" until the speaker has started, then 200', async () => {
    const before = await fetch(url('/readyz'));
    expect(before.status).toBe(503);
    expect(await before.text()).toBe('not started\n');
    readiness.markStarted();
    const after = await fetch(url('/readyz?x=1'));
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('ok\n');
  });
});
