// Builders for tests: a DesiredAnnouncements snapshot from short forms, as the file source would deliver it.
import type { DesiredAnnouncements, IpSpec } from './types.js';

export interface ShortIp {
  ip: string;
  /** Eligible nodes; every node when absent. */
  nodes?: readonly string[];
  interfaces?: readonly string[];
}

/** Nodes n at 192.0.2.(11 + i), weight from `weights` (default 0); IPs for layer 2, for no named Service. */
export function snapshot(nodes: readonly string[], ips: readonly ShortIp[], weights: Readonly<Record<string, number>> = {}): DesiredAnnouncements {
  return {
    nodes: nodes.map((name, i) => ({ name, address: `192.0.2.${11 + i}` })),
    ips: ips.map((s): IpSpec => ({
      ip: s.ip, services: [], modes: ['layer2'],
      nodes: (s.nodes ?? nodes).map((name) => ({ name, weight: weights[name] ?? 0 })),
      ...(s.interfaces !== undefined && { interfaces: s.interfaces }),
    })),
  };
}
