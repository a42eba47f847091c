import { createHash } from 'node:crypto';
import { PresenceTracker, presenceLeaseName, presenceRecord, type PresenceRecord } from './presence.js';

const self = { node: 'a', address: '192.0.2.1' };
const rec = (node: string, rv: string, address: string | undefined = `192.0.2.${node.charCodeAt(0) - 96}`): PresenceRecord =>
  ({ node, address, resourceVersion: rv, durationMs: 40_000 });
const names = (t: PresenceTracker, nowMs: number): string[] => t.live(nowMs).speakers.map((s) => s.node);

describe('presence: who the speakers are', () => {
  test('self is always a member, also before its own Lease is seen', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1')], 0);
    expect(t.live(0).speakers).toEqual([self, { node: 'b', address: '192.0.2.2' }]);
  });

  test('a Lease not renewed for its duration drops out, on this speaker\'s clock', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1'), rec('c', '1')], 1_000);
    t.observe([rec('b', '2'), rec('c', '1')], 30_000); // b renewed, c did not
    expect(t.live(40_999)).toEqual({ speakers: expect.any(Array), nextExpiryMs: 41_000 });
    expect(names(t, 40_999)).toEqual(['a', 'b', 'c']);
    expect(names(t, 41_000)).toEqual(['a', 'b']);
    expect(t.live(41_000).nextExpiryMs).toBe(70_000);
  });

  test('a Lease seen again unchanged does not restart its clock', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1')], 0);
    t.observe([rec('b', '1')], 39_000);
    expect(names(t, 40_000)).toEqual(['a']);
  });

  test('a deleted Lease (graceful stop) drops out at once', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1')], 0);
    t.observe([], 5);
    expect(names(t, 5)).toEqual(['a']);
  });

  test('a Lease without a heartbeat address cannot be a member', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([{ ...rec('b', '1'), address: undefined }], 0);
    expect(names(t, 0)).toEqual(['a']);
  });

  test('while this speaker cannot reach the API, the members it last trusted stay, however long', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1'), rec('c', '1')], 0);
    expect(names(t, 10_000)).toEqual(['a', 'b', 'c']);
    t.setApiHealthy(false, 10_000);
    expect(t.live(500_000)).toEqual({ speakers: [self, expect.objectContaining({ node: 'b' }), expect.objectContaining({ node: 'c' })], nextExpiryMs: null });
  });

  test('back from an outage, every Lease gets a full duration before it can expire (nobody could renew meanwhile)', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1')], 0);
    t.setApiHealthy(false, 10_000);
    t.setApiHealthy(true, 100_000);
    expect(names(t, 139_999)).toEqual(['a', 'b']);
    expect(names(t, 140_000)).toEqual(['a']);
  });

  test('staying healthy does not restart the grace: only a return from an outage does', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('b', '1')], 0);
    t.setApiHealthy(true, 30_000);
    expect(names(t, 40_000)).toEqual(['a']);
  });

  test('self\'s own Lease never adds a second entry for self', () => {
    const t = new PresenceTracker(self);
    t.setApiHealthy(true, 0);
    t.observe([rec('a', '1', '198.51.100.9')], 0);
    expect(t.live(0).speakers).toEqual([self]);
  });
});

describe('presence Lease names and records', () => {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

  test('short node names are readable; long ones are cut to 253 with a hash, so they never collide', () => {
    expect(presenceLeaseName('node-1', sha)).toBe('herald-speaker-node-1');
    const long1 = `${'a'.repeat(240)}.x1`;
    const long2 = `${'a'.repeat(240)}.x2`;
    const n1 = presenceLeaseName(long1, sha);
    const n2 = presenceLeaseName(long2, sha);
    expect(n1.length).toBeLessThanOrEqual(253);
    expect(n1).not.toBe(n2);
    expect(n1).toMatch(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/);
  });

  test('a Lease that names no holder is not a speaker\'s', () => {
    expect(presenceRecord({ spec: { leaseDurationSeconds: 40 } })).toBeUndefined();
    expect(presenceRecord({
      metadata: { resourceVersion: '7', annotations: { 'herald.dev/heartbeat-address': '2001:db8::2' } },
      spec: { holderIdentity: 'b', leaseDurationSeconds: 40 },
    })).toEqual({ node: 'b', address: '2001:db8::2', resourceVersion: '7', durationMs: 40_000 });
  });
});
