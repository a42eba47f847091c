// Shared setup for the speaker lab tests: a fresh lab, the VIPs every speaker reads, and what the pure
// election (speaker/election/) says each VIP's owner should be for a given set of alive nodes. Tests
// assert the client's view against that answer, never against a hard-coded node.
import { electOwner } from '../../speaker/election/index.js';
import { down, up } from './lab.js';
import { curlVip, waitFor } from './judges.js';
import { startSpeaker, stopAllSpeakers, writeSpeakerConfig } from './speakers.js';
import { NODES, VIP_COUNT, vip4, vip6 } from './topology.js';

export const VIPS: readonly string[] = [...Array.from({ length: VIP_COUNT }, (_, i) => vip4(i)), vip6(0), vip6(1)];

const candidates = NODES.map((name) => ({ name }));

export function electedOwner(vip: string, alive: readonly string[] = NODES): string {
  const owner = electOwner(vip, candidates, new Set(alive));
  if (owner === undefined) throw new Error(`election gives ${vip} no owner with alive ${alive.join(',')}`);
  return owner;
}

/** Brings a fresh lab up; `before` runs after the lab is up and before any speaker starts. */
export async function startScenario(before?: () => Promise<void>): Promise<string> {
  await down();
  await up();
  if (before) await before();
  const configPath = writeSpeakerConfig({ ips: VIPS.map((ip) => ({ ip })) });
  for (const node of NODES) startSpeaker(node, configPath, ['--metrics-port', '0']);
  return configPath;
}

export async function endScenario(): Promise<void> {
  await stopAllSpeakers('SIGKILL').catch(() => undefined);
  await down();
}

/** Waits until `curl` from the client reaches, for every VIP, the node the election names for `alive`. */
export async function expectClientReachesElected(alive: readonly string[], timeoutMs = 5000): Promise<void> {
  const want = VIPS.map((vip) => `${vip}=${electedOwner(vip, alive)}`).join(' ');
  const seen = async (): Promise<string> => {
    const bodies = await Promise.all(VIPS.map((vip) => curlVip(vip)));
    return VIPS.map((vip, i) => `${vip}=${bodies[i] ?? 'none'}`).join(' ');
  };
  await waitFor(`client's view with alive ${alive.join(',')}`, seen, want, timeoutMs);
}
