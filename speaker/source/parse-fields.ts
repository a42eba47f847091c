// Pure: the field readers the file source's parsers share (parse.ts, parse-bgp.ts). Each returns the value or
// null, and pushes a problem that names the field and quotes the bad value (STYLE.md §14).
import { formatAddress, tryParseAddress } from '../../lib/ip/index.js';
import { quoteName } from '../membership/core/names.js';

export type Dict = Record<string, unknown>;

/**
 * The IP in canonical form, or null when `text` is not a plain IPv4 dotted quad or IPv6 literal (lib/ip's
 * rules: no zone, since fe80::1%eth0 names an interface, which is not something a VIP can carry).
 * Surrounding whitespace is refused here; the fields are trimmed before they get here.
 */
export function canonicalIp(text: string): string | null {
  const address = text === text.trim() ? tryParseAddress(text) : undefined;
  return address === undefined ? null : formatAddress(address);
}

export function listAt(doc: Dict, key: string, problems: string[]): unknown[] {
  const value = doc[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problems.push(`${key}: must be a list, got ${show(value)}`);
  return [];
}

export function ipField(value: unknown, at: string, problems: string[]): string | null {
  const text = nonEmptyString(value, at, problems);
  if (text === null) return null;
  const ip = canonicalIp(text);
  if (ip === null) problems.push(`${at}: ${quoteName(text)} is not an IP address`);
  return ip;
}

export function nonEmptyString(value: unknown, at: string, problems: string[]): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return problem(problems, `${at}: must be a non-empty string, got ${show(value)}`);
}

export function stringList(value: unknown, at: string, problems: string[]): string[] | null {
  if (!Array.isArray(value)) return problem(problems, `${at}: must be a list, got ${show(value)}`);
  const out: string[] = [];
  value.forEach((item, i) => {
    const s = nonEmptyString(item, `${at}[${i}]`, problems);
    if (s !== null) out.push(s);
  });
  return out;
}

export function unknownKeys(obj: Dict, allowed: readonly string[], at: string, problems: string[]): void {
  // A typo ("interface:") would otherwise be ignored silently and announce on the wrong NIC.
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${at === '' ? '' : `${at}: `}unknown key ${quoteName(key)} (expected one of ${allowed.join(', ')})`);
  }
}

export function problem(problems: string[], text: string): null {
  problems.push(text);
  return null;
}

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for a problem: JSON, cut short so that one huge value cannot make a huge log line. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length <= 80 ? text : `${text.slice(0, 80)}… (${text.length} characters)`;
}
