// `kubectl herald status SERVICE`: one Service explained, laid out as `kubectl describe` lays out an object: its
// IPs, the pool and why that pool, who announces and since when, Herald's conditions, and the Service's recent
// events (the controller's IPAllocated/AllocationFailed…, the speakers' nodeAssigned). When nobody announces, the
// reason and message the speakers wrote say what is wrong.
import type { CoreV1Event } from '@kubernetes/client-node';
import { ageOf, formatTable } from '../output.js';
import type { Announcer } from './announcers.js';
import type { ServiceStatus } from './model.js';
import { choiceText } from './pool-choice.js';

/** Events shown, the most recent; kubectl describe shows what the API still keeps (an hour by default). */
export const EVENTS_SHOWN = 20;

const timeOf = (e: CoreV1Event): number => {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
  return t === undefined ? 0 : new Date(t as string | Date).getTime();
};

/** The events about this Service, oldest first, the last EVENTS_SHOWN. */
export function serviceEvents(events: readonly CoreV1Event[], namespace: string, name: string): CoreV1Event[] {
  return events.filter((e) => e.involvedObject.kind === 'Service' && e.involvedObject.name === name && (e.involvedObject.namespace ?? e.metadata.namespace) === namespace)
    .sort((a, b) => timeOf(a) - timeOf(b)).slice(-EVENTS_SHOWN);
}

function announcerLine(a: Announcer, nowMs: number): string {
  const what = a.mode === 'layer2'
    ? `${a.node} by layer 2${(a.interfaces ?? []).length > 0 ? ` on ${(a.interfaces ?? []).join(', ')}` : ''}`
    : `${a.node} by BGP to ${(a.peers ?? []).map((p) => `${p.peer} (session ${p.session ?? 'not reported'})`).join(', ')}`;
  return a.since === undefined ? what : `${what}, since ${a.since} (${ageOf(a.since, nowMs)} ago)`;
}

function announcedLines(s: ServiceStatus, nowMs: number): string[] {
  if (s.announcers.length > 0) return s.announcers.map((a) => announcerLine(a, nowMs));
  return [`nobody: ${s.summary.reason}: ${s.summary.message}`];
}

const field = (label: string, lines: readonly string[]): string =>
  lines.map((line, i) => `${i === 0 ? `${label}:`.padEnd(15) : ' '.repeat(15)}${line}`).join('\n');

const indent = (text: string): string => text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n');

function conditionsBlock(s: ServiceStatus, nowMs: number): string {
  if (s.conditions.length === 0) return 'Conditions:    <none>';
  const rows = s.conditions.map((c) => [c.type, c.status, c.reason, ageOf(c.lastTransitionTime as string | Date | undefined, nowMs), c.message]);
  return `Conditions:\n${indent(formatTable(['Type', 'Status', 'Reason', 'Age', 'Message'], rows, false))}`;
}

function eventsBlock(events: readonly CoreV1Event[], nowMs: number): string {
  if (events.length === 0) return 'Events:        <none>';
  const rows = events.map((e) => [e.type ?? '', e.reason ?? '', ageOf(new Date(timeOf(e)), nowMs),
    e.reportingInstance ? `${e.source?.component ?? e.reportingComponent ?? ''}/${e.reportingInstance}` : e.source?.component ?? e.reportingComponent ?? '', e.message ?? '']);
  // With kubectl describe's dashes under the headers.
  const table = formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], [['----', '------', '----', '----', '-------'], ...rows], false);
  return `Events:\n${indent(table)}`;
}

export function describeService(s: ServiceStatus, events: readonly CoreV1Event[], nowMs: number): string {
  return [
    field('Name', [s.name]),
    field('Namespace', [s.namespace]),
    field('IPs', [s.ips.length === 0 ? '<pending>' : s.ips.join(', ')]),
    field('Pool', [s.pool ?? '<none>']),
    field('Allocation', [s.poolChoice === undefined || s.pool === undefined ? '<none>' : choiceText(s.poolChoice, s.pool, s.namespaceLabelsKnown)]),
    field('Mode', [s.modes.length === 0 ? '<none>' : s.modes.join(', ')]),
    field('Announced by', announcedLines(s, nowMs)),
    field('Condition', [`${s.summary.reason}: ${s.summary.message}`]),
    conditionsBlock(s, nowMs),
    eventsBlock(serviceEvents(events, s.namespace, s.name), nowMs),
  ].join('\n') + '\n';
}
