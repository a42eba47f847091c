// How `kubectl herald status` prints the model (model.ts): a kubectl-style table (wide: the pool choice, every
// announcer with its interfaces, and the condition's message), or for -o json|yaml plain objects a script can read.
import { formatTable } from '../output.js';
import { announcerText, type Announcer } from './announcers.js';
import type { ServiceStatus } from './model.js';
import { choiceShort, choiceText } from './pool-choice.js';

/** Announcers shown in one narrow cell before "+N more" (-o wide shows all). */
export const ANNOUNCERS_SHOWN = 3;

const NONE = '<none>';

function announcersCell(announcers: readonly Announcer[], wide: boolean): string {
  if (announcers.length === 0) return NONE;
  const texts = announcers.map((a) => (wide && a.mode === 'layer2' && (a.interfaces ?? []).length > 0 ? `${a.node}(${(a.interfaces ?? []).join(',')})` : announcerText(a)));
  if (wide || texts.length <= ANNOUNCERS_SHOWN) return texts.join(' ');
  return `${texts.slice(0, ANNOUNCERS_SHOWN).join(' ')} +${texts.length - ANNOUNCERS_SHOWN} more`;
}

/** kubectl prints <pending> for a LoadBalancer without an external IP. */
const ipsCell = (s: ServiceStatus): string => (s.ips.length === 0 ? '<pending>' : s.ips.join(','));

export interface TableOptions {
  wide: boolean;
  /** With -n NS kubectl leaves the NAMESPACE column out. */
  namespaceColumn: boolean;
}

export function statusTable(statuses: readonly ServiceStatus[], o: TableOptions): string {
  const headers = [...(o.namespaceColumn ? ['namespace'] : []), 'service', 'ip', 'pool', 'mode', 'announced by', 'condition',
    ...(o.wide ? ['allocation', 'message'] : [])];
  const rows = statuses.map((s) => [
    ...(o.namespaceColumn ? [s.namespace] : []),
    s.name, ipsCell(s), s.pool ?? NONE, s.modes.length === 0 ? NONE : s.modes.join(','), announcersCell(s.announcers, o.wide), s.summary.reason,
    ...(o.wide ? [s.poolChoice === undefined ? NONE : choiceShort(s.poolChoice), s.summary.message] : []),
  ]);
  return formatTable(headers, rows);
}

/** One Service as -o json|yaml prints it: no derived text a script would have to parse. */
export function statusItem(s: ServiceStatus): Record<string, unknown> {
  return {
    namespace: s.namespace,
    name: s.name,
    ips: s.ips,
    pool: s.pool ?? null,
    allocation: s.poolChoice === undefined || s.pool === undefined ? null
      : { ...s.poolChoice, text: choiceText(s.poolChoice, s.pool, s.namespaceLabelsKnown) },
    modes: s.modes,
    announcers: s.announcers,
    condition: s.summary,
    conditions: s.conditions,
  };
}
