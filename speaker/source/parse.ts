// Pure: the file source's text → DesiredAnnouncements, or every problem found, each naming the bad
// value and where it is (STYLE.md §2, §14). YAML is a superset of JSON, so one parser reads both.
import { parse as parseYaml } from 'yaml';
import { formatAddress, tryParseAddress } from '../../lib/ip/index.js';
import { parseServiceKey, type ServiceKey } from '../../lib/service-key.js';
import { nodeNameProblem, quoteName } from '../membership/core/names.js';
import { MODES, type DesiredAnnouncements, type EligibleNode, type IpSpec, type Mode, type NodeSpec } from './types.js';

export type ParseResult =
  | { ok: true; desired: DesiredAnnouncements }
  | { ok: false; problems: string[] };

type Dict = Record<string, unknown>;

const TOP_KEYS = ['nodes', 'ips'];
const NODE_KEYS = ['name', 'address', 'weight'];
const IP_KEYS = ['ip', 'nodes', 'interfaces', 'services', 'modes'];

/** A node as the file lists it: the weight is the node's, for every IP it may announce. */
type FileNode = NodeSpec & { weight: number };

/**
 * The IP in canonical form, or null when `text` is not a plain IPv4 dotted quad or IPv6 literal (lib/ip's
 * rules: no zone, since fe80::1%eth0 names an interface, which is not something a VIP can carry).
 * Surrounding whitespace is refused here; the fields are trimmed before they get here.
 */
export function canonicalIp(text: string): string | null {
  const address = text === text.trim() ? tryParseAddress(text) : undefined;
  return address === undefined ? null : formatAddress(address);
}

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
  const ips = listAt(doc, 'ips', problems).map((raw, i) => parseIp(raw, `ips[${i}]`, known, problems));
  uniqueIps(ips, problems);
  if (problems.length > 0) return { ok: false, problems };
  const speakers = (nodes as FileNode[]).map(({ name, address }) => ({ name, address }));
  return { ok: true, desired: { nodes: speakers, ips: ips as IpSpec[] } };
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

function parseIp(raw: unknown, at: string, known: ReadonlyMap<string, FileNode>, problems: string[]): IpSpec | null {
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
  return ip === null ? null : spec;
}

function listAt(doc: Dict, key: string, problems: string[]): unknown[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problems.push(`${key}: must be a list, got ${show(value)}`);
  return [];
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

function ipField(value: unknown, at: string, problems: string[]): string | null {
  const text = nonEmptyString(value, at, problems);
  if (text === null) return null;
  const ip = canonicalIp(text);
  if (ip === null) problems.push(`${at}: ${quoteName(text)} is not an IP address`);
  return ip;
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

function nonEmptyString(value: unknown, at: string, problems: string[]): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return problem(problems, `${at}: must be a non-empty string, got ${show(value)}`);
}

function stringList(value: unknown, at: string, problems: string[]): string[] | null {
  if (!Array.isArray(value)) return problem(problems, `${at}: must be a list, got ${show(value)}`);
  const out: string[] = [];
  value.forEach((item, i) => {
    const s = nonEmptyString(item, `${at}[${i}]`, problems);
    if (s !== null) out.push(s);
  });
  return out;
}

function unknownKeys(obj: Dict, allowed: readonly string[], at: string, problems: string[]): void {
  // A typo ("interface:") would otherwise be ignored silently and announce on the wrong NIC.
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${at === '' ? '' : `${at}: `}unknown key ${quoteName(key)} (expected one of ${allowed.join(', ')})`);
  }
}

function problem(problems: string[], text: string): null {
  problems.push(text);
  return null;
}

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a problem: JSON, cut short so that one huge value cannot make a huge log line. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length <= 80 ? text : `${text.slice(0, 80)}… (${text.length} characters)`;
}
