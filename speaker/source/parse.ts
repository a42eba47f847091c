// Pure: the file source's text → DesiredAnnouncements, or every problem found, each naming the bad
// value and where it is (STYLE.md §2, §14). YAML is a superset of JSON, so one parser reads both.
import { parse as parseYaml } from 'yaml';
import { formatAddress, tryParseAddress } from '../../lib/ip/index.js';
import type { DesiredAnnouncements, IpSpec, NodeSpec } from './types.js';

export type ParseResult =
  | { ok: true; desired: DesiredAnnouncements }
  | { ok: false; problems: string[] };

type Dict = Record<string, unknown>;

const TOP_KEYS = ['nodes', 'ips'];
const NODE_KEYS = ['name', 'address', 'weight'];
const IP_KEYS = ['ip', 'nodes', 'interfaces'];

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
  const known = uniqueNames(nodes, problems);
  const ips = listAt(doc, 'ips', problems).map((raw, i) => parseIp(raw, `ips[${i}]`, known, problems));
  uniqueIps(ips, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, desired: { nodes: nodes as NodeSpec[], ips: ips as IpSpec[] } };
}

function parseNode(raw: unknown, at: string, problems: string[]): NodeSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, NODE_KEYS, at, problems);
  const name = nonEmptyString(raw.name, `${at}.name`, problems);
  const address = ipField(raw.address, `${at}.address`, problems);
  let weight = 0;
  if (raw.weight !== undefined) {
    if (typeof raw.weight === 'number' && Number.isSafeInteger(raw.weight)) weight = raw.weight;
    else problems.push(`${at}.weight: ${show(raw.weight)} is not an integer`);
  }
  return name === null || address === null ? null : { name, address, weight };
}

function parseIp(raw: unknown, at: string, known: ReadonlySet<string>, problems: string[]): IpSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, IP_KEYS, at, problems);
  const ip = ipField(raw.ip, `${at}.ip`, problems);
  let nodes: string[] = [...known];
  if (raw.nodes !== undefined) {
    nodes = stringList(raw.nodes, `${at}.nodes`, problems) ?? [];
    for (const n of nodes) if (!known.has(n)) problems.push(`${at}.nodes: "${n}" is not a node listed under "nodes"`);
  }
  const spec: IpSpec = { ip: ip ?? '', nodes };
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

function uniqueNames(nodes: readonly (NodeSpec | null)[], problems: string[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    if (node === null) continue;
    if (names.has(node.name)) problems.push(`nodes: "${node.name}" is listed twice`);
    names.add(node.name);
  }
  return names;
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
  if (ip === null) problems.push(`${at}: "${text}" is not an IP address`);
  return ip;
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
    if (!allowed.includes(key)) problems.push(`${at === '' ? '' : `${at}: `}unknown key "${key}" (expected one of ${allowed.join(', ')})`);
  }
}

function problem(problems: string[], text: string): null {
  problems.push(text);
  return null;
}

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
