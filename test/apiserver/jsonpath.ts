// The JSONPath subset CRD additionalPrinterColumns use (`.status.counts.ipv4`, `.spec.addresses[0]`,
// `.items[*].name`, `['key.with.dots']`, and filters like `.status.conditions[?(@.type=="Ready")].status`, with
// == or != against a quoted string or a number). Returns every match, in document order.
import { isJsonObject } from './types.js';

type Filter = { path: Step[]; op: '==' | '!='; value: string | number };
type Step = { field: string } | { index: number } | { all: true } | { filter: Filter };

const FILTER = /\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(-?[0-9]+(?:\.[0-9]+)?))\)\]/y;

export function parseJsonPath(path: string): Step[] {
  const text = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  const steps: Step[] = [];
  const token = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\['([^']*)'\]|\["([^"]*)"\]|\.\*/y;
  let position = 0;
  while (position < text.length) {
    FILTER.lastIndex = position;
    const filter = FILTER.exec(text);
    if (filter) {
      position = FILTER.lastIndex; // before the sub-path's parse moves it
      const [, subpath = '', op, double, single, number] = filter;
      const value = double ?? single ?? Number(number);
      steps.push({ filter: { path: parseJsonPath(subpath), op: op === '!=' ? '!=' : '==', value } });
      continue;
    }
    token.lastIndex = position;
    const match = token.exec(text);
    if (!match) throw new Error(`JSONPath "${path}": cannot parse at offset ${position}`);
    if (match[1] !== undefined) steps.push({ field: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined || match[4] !== undefined) steps.push({ field: match[3] ?? match[4] ?? '' });
    else steps.push({ all: true });
    position = token.lastIndex;
  }
  return steps;
}

/** Whether an array element passes `[?(@.path op value)]`: a missing field never equals. */
function passes(item: unknown, filter: Filter): boolean {
  const found = evaluateJsonPath(item, filter.path);
  const equal = found.length > 0 && found[0] === filter.value;
  return filter.op === '==' ? equal : found.length > 0 && !equal;
}

export function evaluateJsonPath(value: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const item of current) {
      if ('field' in step) {
        if (isJsonObject(item) && item[step.field] !== undefined) next.push(item[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(item) && step.index < item.length) next.push(item[step.index]);
      } else if ('filter' in step) {
        if (Array.isArray(item)) next.push(...item.filter((element) => passes(element, step.filter)));
      } else if (Array.isArray(item)) next.push(...item);
      else if (isJsonObject(item)) next.push(...Object.values(item));
    }
    current = next;
  }
  return current;
}
