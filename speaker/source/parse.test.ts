import { canonicalIp, parseAnnouncements } from './parse.js';

const good = `
nodes:
  - name: n1
    address: 192.0.2.11
    weight: 5
  - name: n2
    address: 2001:db8::12
ips:
  - ip: 192.0.2.100
    nodes: [n1]
    interfaces: [eth0]
  - ip: 2001:DB8:1:0::100
`;

describe('parseAnnouncements', () => {
  it('reads the documented YAML format, filling defaults', () => {
    const result = parseAnnouncements(good);
    expect(result).toEqual({
      ok: true,
      desired: {
        nodes: [
          { name: 'n1', address: '192.0.2.11' },
          { name: 'n2', address: '2001:db8::12' },
        ],
        ips: [
          { ip: '192.0.2.100', services: [], modes: ['layer2'], nodes: [{ name: 'n1', weight: 5 }], interfaces: ['eth0'] },
          { ip: '2001:db8:1::100', services: [], modes: ['layer2'], nodes: [{ name: 'n1', weight: 5 }, { name: 'n2', weight: 0 }] },
        ],
      },
    });
  });

  it('reads the same content as JSON', () => {
    const json = JSON.stringify({
      nodes: [{ name: 'n1', address: '192.0.2.11', weight: 5 }, { name: 'n2', address: '2001:db8::12' }],
      ips: [{ ip: '192.0.2.100', nodes: ['n1'], interfaces: ['eth0'] }, { ip: '2001:DB8:1:0::100' }],
    });
    expect(parseAnnouncements(json)).toEqual(parseAnnouncements(good));
  });

  it('accepts a file with nodes and no ips', () => {
    expect(parseAnnouncements('nodes: [{name: a, address: 192.0.2.1}]')).toEqual({
      ok: true, desired: { nodes: [{ name: 'a', address: '192.0.2.1' }], ips: [] },
    });
  });

  it('reads the Services an IP is for and its modes', () => {
    const result = parseAnnouncements('nodes: [{name: a, address: 192.0.2.1}]\nips: [{ip: 192.0.2.9, services: [apps/web, apps/api], modes: [layer2]}]');
    expect(result).toMatchObject({ ok: true, desired: { ips: [{ ip: '192.0.2.9', services: ['apps/web', 'apps/api'], modes: ['layer2'] }] } });
  });

  const bad: [string, string, string][] = [
    ['an empty file', '', 'top level must be a mapping'],
    ['broken YAML', 'nodes: [', 'not valid YAML/JSON'],
    ['a bad node address', 'nodes: [{name: a, address: 192.0.2.300}]', 'nodes[0].address: "192.0.2.300" is not an IP address'],
    ['a hex IPv4', 'nodes: [{name: a, address: 0xc0.0.2.1}]', '"0xc0.0.2.1" is not an IP address'],
    ['a zoned IPv6', 'nodes: [{name: a, address: "fe80::1%eth0"}]', '"fe80::1%eth0" is not an IP address'],
    ['a missing name', 'nodes: [{address: 192.0.2.1}]', 'nodes[0].name: must be a non-empty string, got nothing'],
    ['a fractional weight', 'nodes: [{name: a, address: 192.0.2.1, weight: 1.5}]', 'nodes[0].weight: 1.5 is not an integer'],
    ['a duplicate node', 'nodes: [{name: a, address: 192.0.2.1}, {name: a, address: 192.0.2.2}]', '"a" is listed twice'],
    ['an unknown eligible node', 'nodes: [{name: a, address: 192.0.2.1}]\nips: [{ip: 192.0.2.9, nodes: [b]}]', 'ips[0].nodes: "b" is not a node'],
    ['a bad VIP', 'ips: [{ip: nope}]', 'ips[0].ip: "nope" is not an IP address'],
    ['a Service without a namespace', 'ips: [{ip: 192.0.2.9, services: [web]}]', 'ips[0].services: "web" is not namespace/name'],
    ['a mode the speaker lacks', 'ips: [{ip: 192.0.2.9, modes: [vrrp]}]', 'ips[0].modes: "vrrp" is not a mode this speaker has (layer2, bgp)'],
    ['no mode at all', 'ips: [{ip: 192.0.2.9, modes: []}]', 'ips[0].modes: must name at least one mode'],
    ['a duplicate VIP in two spellings', 'ips: [{ip: "2001:db8::1"}, {ip: "2001:0db8::0001"}]', 'ips: 2001:db8::1 is listed twice'],
    ['a typo in a key', 'ips: [{ip: 192.0.2.9, interface: [eth0]}]', 'ips[0]: unknown key "interface"'],
    ['interfaces not a list', 'ips: [{ip: 192.0.2.9, interfaces: eth0}]', 'ips[0].interfaces: must be a list, got "eth0"'],
    ['ips not a list', 'ips: 192.0.2.9', 'ips: must be a list'],
    ['an unknown top key', 'node: []', 'unknown key "node"'],
  ];
  it.each(bad)('rejects %s, naming the value', (_name, text, message) => {
    const result = parseAnnouncements(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(message);
  });

  describe('node names (issue 12: a name over 255 bytes stopped every speaker after its socket was bound)', () => {
    const named = (name: string) => `nodes: [{name: ${JSON.stringify(name)}, address: 192.0.2.1}, {name: b, address: 192.0.2.2}]\nips: [{ip: 192.0.2.9}]`;

    it.each([
      ['255 ASCII bytes', 'n'.repeat(255)],
      ['85 three-byte characters (255 bytes)', '節'.repeat(85)],
    ])('accepts a name of %s, the most a heartbeat carries', (_what, name) => {
      expect(parseAnnouncements(named(name))).toMatchObject({ ok: true, desired: { nodes: [{ name }, { name: 'b' }] } });
    });

    it.each([
      ['256 ASCII bytes', 'n'.repeat(256), 256],
      ['86 three-byte characters (258 bytes)', '節'.repeat(86), 258],
      ['10 000 bytes', 'x'.repeat(10_000), 10_000],
    ])('rejects a name of %s with a problem that quotes it cut short', (_what, name, bytes) => {
      const result = parseAnnouncements(named(name));
      expect(result.ok).toBe(false);
      const problems = result.ok ? [] : result.problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`nodes[0].name: node name "${[...name].slice(0, 40).join('')}"… (${[...name].length} characters)`);
      expect(problems[0]).toContain(`is ${bytes} bytes of UTF-8; a heartbeat carries at most 255`);
      expect(problems[0]!.length).toBeLessThan(200);
    });

    it('quotes a long name cut short where an IP refers to it too', () => {
      const long = 'y'.repeat(1000);
      const result = parseAnnouncements(`nodes: [{name: a, address: 192.0.2.1}]\nips: [{ip: 192.0.2.9, nodes: [${long}]}]`);
      expect(result.ok ? [] : result.problems).toEqual([`ips[0].nodes: "${'y'.repeat(40)}"… (1000 characters) is not a node listed under "nodes"`]);
    });
  });

  it('reports every problem, not only the first', () => {
    const result = parseAnnouncements('nodes: [{name: a, address: x}]\nips: [{ip: y}]');
    expect(result.ok ? [] : result.problems).toHaveLength(2);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['192.0.2', null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(canonicalIp(input)).toBe(expected));
});
