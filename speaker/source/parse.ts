// Pure: the file source's text → DesiredAnnouncements, or every problem found, each naming the bad
// value and where it is (STYLE.md §2, §14). YAML is a superset of JSON, so one parser reads both. The BGP parts
// (bgpPeers, an IP's bgp) are in parse-bgp.ts, the field readers both use in parse-fields.ts.
import { parse as parseYaml } from 'yaml';
import { parseServiceKey, type ServiceKey } from '../../lib/service-key.js';
import { nodeNameProblem, quoteName } from '../membership/core/names.js';
import { parseBfdProfiles } from './parse-bfd.js';
import { parseBgpPeers, parseIpBgp } from './parse-bgp.js';
import { ipField, isDict, listAt, nonEmptyString, problem, show, stringList, unknownKeys } from './parse-fields.js';
import { MODES, type DesiredAnnouncements, type EligibleNode, type IpSpec, type Mode, type NodeSpec } from './types.js';

export { canonicalIp } from './parse-fields.js';

export type ParseResult =
  | { ok: true; desired: DesiredAnnouncements }
  | { ok: false; problems: string[] };

const TOP_KEYS = ['nodes', 'ips', 'bgpPeers', 'bfdProfiles'];
const NODE_KEYS = ['name', 'address', 'weight'];
const IP_KEYS = ['ip', 'nodes', 'interfaces', 'services', 'modes', 'bgp'];

/** A node as the file lists it: the weight is the node's, for every IP it may announce. */
type FileNode = NodeSpec & { weight: number };


export function parseAnnouncements(text: string): ParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [`not valid YAML/JSON: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  if (!isDict(doc)) return { ok: false, problems: ['the top level must be a mapping with "nodes" and "ips"'] };
  unknownKeys(doc, TOP_KEYS, '', problems);
  const nodes = listAt(doc, 'nodes', problems).map((raw, i) => parseNode(raw, `nodes[${i}]`, problems));
  const known = uniqueNodes(nodes, problems);
  const bgpPeers = parseBgpPeers(doc, [...known.keys()], problems, parseBfdProfiles(doc, problems));
  const peerNames = new Set(bgpPeers.map((p) => p.name));
  const ips = listAt(doc, 'ips', problems).map((raw, i) => parseIp(raw, `ips[${i}]`, known, peerNames, problems));
  uniqueIps(ips, problems);
  if (problems.length > 0) return { ok: false, problems };
  const speakers = (nodes as FileNode[]).map(({ name, address }) => ({ name, address }));
  const desired: DesiredAnnouncements = { nodes: speakers, ips: ips as IpSpec[] };
  return { ok: true, desired: doc.bgpPeers === undefined ? desired : { ...desired, bgpPeers } };
}

function parseNode(raw: unknown, at: string, problems: string[]): FileNode | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, NODE_KEYS, at, problems);
  const name = nodeName(raw.name, `${at}.name`, problems);
  const address = ipField(raw.address, `${at}.address`, problems);
  let weight = 0;
  if (raw.weight !== undefined) {
    if (typeof raw.weight === 'number' && Number.isSafeInteger(raw.weight)) weight = raw.weight;
    else problems.push(`${at}.weight: ${show(raw.weight)} is not an integer`);
  }
  return name === null || address === null ? null : { name, address, weight };
}

function parseIp(raw: unknown, at: string, known: ReadonlyMap<string, FileNode>, peerNames: ReadonlySet<string>, problems: string[]): IpSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, IP_KEYS, at, problems);
  const ip = ipField(raw.ip, `${at}.ip`, problems);
  let names: string[] = [...known.keys()];
  if (raw.nodes !== undefined) {
    names = stringList(raw.nodes, `${at}.nodes`, problems) ?? [];
    for (const n of names) if (!known.has(n)) problems.push(`${at}.nodes: ${quoteName(n)} is not a node listed under "nodes"`);
  }
  const nodes: EligibleNode[] = names.map((name) => ({ name, weight: known.get(name)?.weight ?? 0 }));
  const services = raw.services === undefined ? [] : serviceList(raw.services, `${at}.services`, problems);
  const modes = raw.modes === undefined ? ['layer2' as const] : modeList(raw.modes, `${at}.modes`, problems);
  const spec: IpSpec = { ip: ip ?? '', services, modes, nodes };
  if (raw.interfaces !== undefined) {
    const interfaces = stringList(raw.interfaces, `${at}.interfaces`, problems);
    if (interfaces !== null) spec.interfaces = interfaces;
  }
  if (raw.bgp !== undefined) {
    // A `bgp` mapping on an IP BGP does not announce is a mistake the file's author would not see otherwise.
    if (!modes.includes('bgp')) problems.push(`${at}.bgp: set, but ${at}.modes does not include "bgp"`);
    const bgp = parseIpBgp(raw.bgp, `${at}.bgp`, peerNames, problems);
    if (bgp !== null) spec.bgp = bgp;
  }
  return ip === null ? null : spec;
}


function uniqueNodes(nodes: readonly (FileNode | null)[], problems: string[]): Map<string, FileNode> {
  const byName = new Map<string, FileNode>();
  for (const node of nodes) {
    if (node === null) continue;
    if (byName.has(node.name)) problems.push(`nodes: ${quoteName(node.name)} is listed twice`);
    else byName.set(node.name, node);
  }
  return byName;
}

function serviceList(value: unknown, at: string, problems: string[]): ServiceKey[] {
  const keys: ServiceKey[] = [];
  for (const text of stringList(value, at, problems) ?? []) {
    const key = parseServiceKey(text);
    if (key === undefined) problems.push(`${at}: ${quoteName(text)} is not namespace/name`);
    else keys.push(key);
  }
  return keys;
}

function modeList(value: unknown, at: string, problems: string[]): Mode[] {
  const modes: Mode[] = [];
  for (const text of stringList(value, at, problems) ?? []) {
    const mode = MODES.find((m) => m === text);
    if (mode === undefined) problems.push(`${at}: ${quoteName(text)} is not a mode this speaker has (${MODES.join(', ')})`);
    else if (!modes.includes(mode)) modes.push(mode);
  }
  if (modes.length === 0 && Array.isArray(value) && value.length === 0) problems.push(`${at}: must name at least one mode`);
  return modes;
}

function uniqueIps(ips: readonly (IpSpec | null)[], problems: string[]): void {
  const seen = new Set<string>();
  for (const spec of ips) {
    if (spec === null) continue;
    if (seen.has(spec.ip)) problems.push(`ips: ${spec.ip} is listed twice`);
    seen.add(spec.ip);
  }
}


/**
 * A node name the heartbeat can carry (1..255 bytes of UTF-8). A longer one used to pass here and then stop
 * every speaker once its socket was bound, in a loop; now it is a problem of the file like any other.
 */
function nodeName(value: unknown, at: string, problems: string[]): string | null {
  const name = nonEmptyString(value, at, problems);
  if (name === null) return null;
  const problem = nodeNameProblem(name);
  if (problem === null) return name;
  problems.push(`${at}: ${problem}`);
  return null;
}
