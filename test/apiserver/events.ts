// core/v1 Events and events.k8s.io/v1 Events are two views of one storage in kube-apiserver: an event
// written through either API is listed by both (kubectl describe reads core/v1 with involvedObject.*
// field selectors). The emulator stores the core/v1 form and converts field by field, as kube's
// conversion functions do. Through events.k8s.io/v1 an event is immutable but for its series and metadata.
import { badRequest, type FieldError } from './errors.js';
import { deepEqual } from './patch/json-util.js';
import type { Strategy } from './resource-type.js';
import { deleteKey, isJsonObject, type KubeObject } from './types.js';

/** metav1.MicroTime's JSON form, Go's RFC3339Micro layout: exactly six fractional digits. */
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const UP_TO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/**
 * Decoding refuses a MicroTime in any other layout (client-node sends a plain Date with milliseconds unless it is a
 * V1MicroTime): 400 `Event in version "v1" cannot be handled as a Event: parsing time ...`, Go's time.ParseError.
 */
export function checkMicroTimes(kind: string, version: string, values: unknown[]): void {
  for (const value of values) {
    if (typeof value !== 'string' || MICRO_TIME.test(value)) continue;
    const [rest, element] = UP_TO_SECONDS.test(value) ? [value.slice(19), '.000000'] : [value, '2006'];
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: parsing time ${JSON.stringify(value)} `
      + `as "${RFC3339_MICRO}": cannot parse ${JSON.stringify(rest)} as "${element}"`);
  }
}

const eventMicroTimes = (obj: KubeObject): unknown[] => [obj.eventTime, isJsonObject(obj.series) ? obj.series.lastObservedTime : undefined];

/** core/v1 name ↔ events.k8s.io/v1 name, for every field whose name differs. */
const RENAMED: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(obj: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion };
  for (const [from, to] of pairs) {
    deleteKey(out, from);
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export function eventsV1FromCore(obj: KubeObject): KubeObject {
  return rename(obj, RENAMED, 'events.k8s.io/v1');
}

export function eventsV1ToCore(obj: KubeObject): KubeObject {
  return rename(obj, RENAMED.map(([core, events]) => [events, core]), 'v1');
}

function involvedField(obj: KubeObject, key: string): string {
  const involved = obj.involvedObject;
  if (!isJsonObject(involved)) return '';
  const value = involved[key];
  return value === undefined ? '' : String(value);
}

const INVOLVED = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

/** The field selectors kube's event strategy supports (pkg/registry/core/event). */
export const eventStrategy: Strategy = {
  prepareCreate: (obj) => checkMicroTimes('Event', 'v1', eventMicroTimes(obj)),
  prepareUpdate: (obj) => checkMicroTimes('Event', 'v1', eventMicroTimes(obj)),
  fieldValue(obj, field) {
    for (const key of INVOLVED) {
      if (field === `involvedObject.${key}` || field === `regarding.${key}`) return involvedField(obj, key);
    }
    if (field === 'reason' || field === 'type' || field === 'reportingComponent') {
      const value = obj[field];
      return value === undefined ? '' : String(value);
    }
    if (field === 'source') {
      const source = obj.source;
      return isJsonObject(source) && typeof source.component === 'string' ? source.component : '';
    }
    return undefined;
  },
};

/**
 * ValidateEventUpdate for events.k8s.io/v1 and newer: these fields may not change, named by their internal (core)
 * names, in kube's order (which checks reason twice). Values print as this API's JSON, not the internal Go structs.
 */
const IMMUTABLE: [path: string, field: string][] = [
  ['involvedObject', 'regarding'], ['reason', 'reason'], ['message', 'note'], ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'], ['lastTimestamp', 'deprecatedLastTimestamp'], ['count', 'deprecatedCount'],
  ['reason', 'reason'], ['type', 'type'], ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'],
  ['reportingController', 'reportingController'], ['reportingInstance', 'reportingInstance'],
];

export const eventsV1Strategy: Strategy = {
  ...eventStrategy,
  validate(obj, old) {
    if (!old) return [];
    return IMMUTABLE.filter(([, field]) => !deepEqual(obj[field], old[field])).map(([path, field]): FieldError => ({
      type: 'FieldValueInvalid', field: path, value: obj[field] ?? null, message: 'field is immutable' }));
  },
};
