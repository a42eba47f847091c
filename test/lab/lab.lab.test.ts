// The lab itself, judged by real tools: it comes up twice without complaint, has the shape topology.ts
// promises, its nodes' kernels stay silent for VIPs (so any answer later is the speaker's), and `down`
// leaves no namespace and no process behind.
import { existsSync } from 'node:fs';
import { down, existingNamespaces, LAB_NAMESPACES, up } from './lab.js';
import { isAlive, type ProcRecord } from './exec.js';
import { status } from './status.js';
import { arpingMacs, curlVip, ndiscMacs } from './judges.js';
import { HOSTS, NODES, STATE_DIR, hostByName, macOf, nsOf, v4Of, v6Of, vip4, vip6 } from './topology.js';

describe('the network lab', () => {
  let processesBeforeDown: ProcRecord[] = [];

  beforeAll(async () => {
    await down(); // whatever an earlier crashed run left
    await up();
  });

  afterAll(async () => {
    await down();
  });

  it('comes up a second time over itself, unchanged', async () => {
    const before = await status();
    await up();
    const after = await status();
    expect(after.namespaces.map((n) => n.name).sort()).toEqual([...LAB_NAMESPACES].sort());
    expect(after.processes.map((p) => p.pid).sort()).toEqual(before.processes.map((p) => p.pid).sort());
    expect(after.namespaces).toEqual(before.namespaces);
  });

  it('gives every host its MAC and its IPv4 and IPv6 addresses, and every node the VIPs on lo', async () => {
    const s = await status();
    for (const host of HOSTS) {
      const ns = s.namespaces.find((n) => n.name === nsOf(host.name));
      const eth0 = ns?.interfaces.find((i) => i.name === 'eth0');
      expect(eth0?.mac).toBe(macOf(host));
      expect(eth0?.state).toBe('UP');
      expect(eth0?.addresses).toEqual(expect.arrayContaining([`${v4Of(host)}/24`, `${v6Of(host)}/64`]));
      const lo = ns?.interfaces.find((i) => i.name === 'lo');
      if (host.role === 'node') expect(lo?.addresses).toEqual(expect.arrayContaining([`${vip4(0)}/32`, `${vip6(9)}/128`]));
      else expect(lo?.addresses).not.toContain(`${vip4(0)}/32`);
    }
  });

  it('runs one HTTP server per node that answers the client with the node name, over IPv4 and IPv6', async () => {
    for (const node of NODES) {
      const host = hostByName(node);
      expect(await curlVip(v4Of(host))).toBe(node);
      expect(await curlVip(v6Of(host))).toBe(node);
    }
    expect((await status()).processes.map((p) => p.role).sort()).toEqual(['http-n1', 'http-n2', 'http-n3']);
  });

  it("lets the nodes' kernels answer ARP and NDP for their own addresses (the judges work)", async () => {
    const n2 = hostByName('n2');
    expect(await arpingMacs(v4Of(n2))).toEqual([macOf(n2)]);
    expect(await ndiscMacs(v6Of(n2))).toEqual([macOf(n2)]);
  });

  it('keeps every kernel silent for the VIPs, so only a speaker can answer (strictARP, /128 on lo)', async () => {
    expect(await arpingMacs(vip4(0))).toEqual([]);
    expect(await ndiscMacs(vip6(0))).toEqual([]);
    expect(await curlVip(vip4(0))).toBeUndefined();
  });

  it('goes down leaving no hl- namespace, no lab process and no state', async () => {
    processesBeforeDown = (await status()).processes;
    expect(processesBeforeDown.length).toBeGreaterThan(0);
    await down();
    expect([...(await existingNamespaces())]).toEqual([]);
    for (const p of processesBeforeDown) expect(isAlive(p)).toBe(false);
    expect(existsSync(STATE_DIR)).toBe(false);
    expect((await status()).namespaces).toEqual([]);
  });
});
