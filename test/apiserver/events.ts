// core/v1 Events and events.k8s.io/v1 Events are two views of one storage in kube-apiserver: an event
// written through either API is listed by both (kubectl describe reads core/v1 with involvedObject.*
// field selectors). The emulator stores the core/v1 form and converts field by field, as kube's
// conversion functions do.
import type { Strategy } from './resource-type.js';
import { deleteKey, isJsonObject, type KubeObject } from './types.js';

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
