// What the lab holds right now, for `npm run lab -- status [--json]` and for tests that check `down`.
import { clusterKubeconfig, controlPlaneProcesses } from './cluster.js';
import { LAB_NAMESPACES, existingNamespaces, pidsIn, run, listProcs, type ProcRecord } from './lab.js';

export interface InterfaceStatus {
  name: string;
  mac: string;
  state: string;
  addresses: string[];
}

export interface NamespaceStatus {
  name: string;
  interfaces: InterfaceStatus[];
  /** Every process in the namespace, whether or not the lab recorded it. */
  pids: number[];
}

export interface LabStatus {
  namespaces: NamespaceStatus[];
  processes: ProcRecord[];
  /** With `up --cluster`: the kubeconfig of the lab's API server (reachable from the lab's namespaces). */
  kubeconfig?: string;
}

interface IpAddrJson {
  ifname: string;
  address?: string;
  operstate: string;
  addr_info: { local: string; prefixlen: number }[];
}

export async function status(): Promise<LabStatus> {
  const present = await existingNamespaces();
  const namespaces: NamespaceStatus[] = [];
  for (const ns of LAB_NAMESPACES.filter((n) => present.has(n))) {
    namespaces.push({ name: ns, interfaces: await interfacesIn(ns), pids: await pidsIn(ns) });
  }
  const kubeconfig = clusterKubeconfig();
  return { namespaces, processes: [...listProcs(), ...controlPlaneProcesses()], ...(kubeconfig !== undefined && { kubeconfig }) };
}

async function interfacesIn(ns: string): Promise<InterfaceStatus[]> {
  const { stdout } = await run(['ip', '-n', ns, '-j', 'address', 'show']);
  return (JSON.parse(stdout) as IpAddrJson[]).map((i) => ({
    name: i.ifname,
    mac: i.address ?? '',
    state: i.operstate,
    addresses: i.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

export function formatStatus(s: LabStatus): string {
  if (s.namespaces.length === 0 && s.processes.length === 0) return 'lab is down (no hl- namespace, no lab process)';
  const lines: string[] = [];
  for (const ns of s.namespaces) {
    lines.push(`${ns.name}${ns.pids.length ? `  (pids ${ns.pids.join(' ')})` : ''}`);
    for (const i of ns.interfaces) {
      lines.push(`  ${i.name.padEnd(8)} ${i.state.padEnd(8)} ${i.mac.padEnd(17)} ${i.addresses.join(' ')}`);
    }
  }
  lines.push('processes:');
  for (const p of s.processes) lines.push(`  ${p.role.padEnd(14)} pid ${String(p.pid).padEnd(8)} ${p.ns}`);
  if (s.kubeconfig !== undefined) lines.push(`kubeconfig: ${s.kubeconfig} (the API server listens in hl-router; use it from a lab namespace)`);
  return lines.join('\n');
}
