// Label selectors (kube's full string syntax) and field selectors (=, ==, != over a per-kind set of fields).
import { badRequest } from './errors.js';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export type LabelSelector = LabelRequirement[];

/** Splits on commas that are not inside parentheses (`a in (x,y),b`). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string, selector: string): string {
  if (!LABEL_KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!LABEL_VALUE.test(value)) throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  return value;
}

function parseRequirement(part: string, selector: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (setMatch) {
    const [, key = '', op, list = ''] = setMatch;
    const values = list.split(',').map((v) => checkValue(v.trim(), selector));
    return { key: checkKey(key, selector), op: op === 'in' ? 'in' : 'notin', values };
  }
  const eqMatch = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (eqMatch) {
    const [, key = '', op, value = ''] = eqMatch;
    return { key: checkKey(key, selector), op: op === '!=' ? 'notin' : 'in', values: [checkValue(value, selector)] };
  }
  if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), selector), op: 'doesnotexist' };
  return { key: checkKey(part, selector), op: 'exists' };
}

export function parseLabelSelector(selector: string | null | undefined): LabelSelector {
  if (!selector) return [];
  return splitTopLevel(selector).map((part) => parseRequirement(part, selector));
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const req of selector) {
    const value = labels?.[req.key];
    switch (req.op) {
      case 'exists': if (value === undefined) return false; break;
      case 'doesnotexist': if (value !== undefined) return false; break;
      case 'in': if (value === undefined || !req.values.includes(value)) return false; break;
      case 'notin': if (value !== undefined && req.values.includes(value)) return false; break;
    }
  }
  return true;
}

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }
export type FieldSelector = FieldRequirement[];

export function parseFieldSelector(selector: string | null | undefined): FieldSelector {
  if (!selector) return [];
  return splitTopLevel(selector).map((part) => {
    const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [, field = '', op, value = ''] = match;
    return { field: field.trim(), op: op === '!=' ? '!=' : '=', value: value.trim() };
  });
}

/** Fails with 400 (as kube does) when a field label is not supported for the kind. */
export function checkFieldSelector(selector: FieldSelector, supported: (field: string) => boolean): void {
  for (const req of selector) {
    if (!supported(req.field)) throw badRequest(`field label not supported: ${req.field}`);
  }
}

export function matchesFields(selector: FieldSelector, valueOf: (field: string) => string | undefined): boolean {
  for (const req of selector) {
    const actual = valueOf(req.field) ?? '';
    if ((actual === req.value) !== (req.op === '=')) return false;
  }
  return true;
}
