// The OpenAPI string and number formats kube-apiserver checks (k8s.io/kube-openapi/pkg/validation/strfmt).
// Unknown formats are not errors at validation time, as in kube.
import { parseAddr, parsePrefix } from './cel/netaddr.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOSTNAME = /^(?=.{1,255}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function validDate(text: string): boolean {
  const d = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text.slice(0, 10);
}

const STRING_FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => DATE_TIME.test(s) && validDate(s),
  date: (s) => DATE.test(s) && validDate(s),
  uuid: (s) => UUID.test(s),
  byte: (s) => BASE64.test(s),
  hostname: (s) => HOSTNAME.test(s),
  ipv4: (s) => parseAddr(s)?.family === 4,
  ipv6: (s) => s.includes(':') && parseAddr(s)?.family === 6,
  cidr: (s) => parsePrefix(s) !== undefined,
};

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  // Beyond 2^53 a JSON number has already lost precision in JavaScript; the check is the int64 range.
  int64: [-(2 ** 63), 2 ** 63],
};

/** Whether `value` matches `format`; true for formats this validator does not know. */
export function matchesFormat(format: string, value: string | number): boolean {
  if (typeof value === 'string') return STRING_FORMATS[format]?.(value) ?? true;
  const range = INT_RANGES[format];
  return range === undefined || (value >= range[0] && value <= range[1]);
}
