// `kubectl herald validate`'s decision, pure: the objects read from files → every problem (schema and CEL first,
// as kubectl apply would meet them, then the controller's rules across objects), every note (what was skipped and
// why, what could not be checked offline) and how many objects of each kind are valid.
import { HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { count } from '../../lib/config/index.js';
import type { ReadError, SourceObject } from './documents.js';
import { crossObjectProblems, passwordSecrets, wrongNamespace, type HeraldObject } from './rules.js';
import { checkSchema, groupOf, isHeraldGroup } from './schema.js';

/** One line of the report: `FILE: KIND/NAME: message`, or for a document that does not parse `FILE:LINE: message`. */
export interface Problem {
  file: string;
  line: number;
  /** `Kind/name`; undefined for a parse error. */
  object: string | undefined;
  message: string;
}

export interface Report {
  problems: Problem[];
  notes: string[];
  /** Herald objects without a problem, by kind. */
  valid: Map<string, number>;
  /** Objects that are not Herald's, skipped. */
  skipped: number;
}

const METALLB_GROUPS = new Set(['metallb.io', 'metallb.universe.tf']);

interface Read extends SourceObject { kind: string; name: string; namespace: string | undefined }

function describe(source: SourceObject): Read {
  const o = source.object;
  const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as { name?: unknown; namespace?: unknown };
  return {
    ...source,
    kind: typeof o.kind === 'string' ? o.kind : '',
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
  };
}

function skipNote(one: Read): string {
  const apiVersion = typeof one.object.apiVersion === 'string' ? one.object.apiVersion : '';
  const where = `${one.file}: ${one.kind}/${one.name}`;
  const metallbConfig = one.kind === 'ConfigMap' && one.name === 'config';
  if (METALLB_GROUPS.has(groupOf(apiVersion)) || metallbConfig) {
    return `${where}: skipped, a MetalLB object: \`kubectl herald migrate-from-metallb -f ${one.file}\` writes its Herald equivalent`;
  }
  return `${where}: skipped, not a herald.dev object (${apiVersion || 'no apiVersion'})`;
}

/** The same kind, namespace and name twice: kubectl apply would keep only the last one. */
function duplicates(objects: readonly Read[]): Problem[] {
  const first = new Map<string, Read>();
  return objects.flatMap((one) => {
    const key = `${one.kind}/${one.namespace ?? ''}/${one.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, one);
      return [];
    }
    return [{ file: one.file, line: one.line, object: `${one.kind}/${one.name}`,
      message: `defined again (first at ${earlier.file}:${earlier.line}); kubectl apply keeps only the last one` }];
  });
}

export function validateObjects(sources: readonly SourceObject[], readErrors: readonly ReadError[] = []): Report {
  const report: Report = { problems: readErrors.map((e) => ({ ...e, object: undefined })), notes: [], valid: new Map(), skipped: 0 };
  const all = sources.map(describe);
  const herald = all.filter((one) => isHeraldGroup(typeof one.object.apiVersion === 'string' ? one.object.apiVersion : ''));
  for (const one of all) if (!herald.includes(one)) report.notes.push(skipNote(one));
  report.skipped = all.length - herald.length;
  const at = (one: Read) => ({ file: one.file, line: one.line, object: `${one.kind}/${one.name}` });

  const usable: { read: Read; herald: HeraldObject }[] = [];
  for (const one of herald) {
    const checked = checkSchema(one.object);
    if (!checked.ok) {
      report.problems.push(...checked.errors.map((message) => ({ ...at(one), message })));
      continue;
    }
    const elsewhere = wrongNamespace({ ...one, object: checked.object });
    if (elsewhere) report.problems.push({ ...at(one), message: elsewhere });
    else usable.push({ read: one, herald: { ...one, object: checked.object } });
  }
  report.problems.push(...duplicates(herald));
  crossRules(report, lastOfEach(usable), sources);
  countValid(report, herald);
  const fileOrder = [...new Set([...readErrors.map((e) => e.file), ...sources.map((s) => s.file)])];
  report.problems.sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line);
  return report;
}

/** Of objects defined more than once, the last (what kubectl apply leaves in the cluster). */
function lastOfEach<T extends { read: Read }>(usable: readonly T[]): T[] {
  const last = new Map(usable.map((u) => [`${u.read.kind}/${u.read.namespace ?? ''}/${u.read.name}`, u]));
  return [...last.values()];
}

/** The controller's rules on the objects it would read, each problem placed at the object it is about. */
function crossRules(report: Report, usable: readonly { read: Read; herald: HeraldObject }[], sources: readonly SourceObject[]): void {
  const secrets = passwordSecrets(sources.map((s) => s.object));
  const byObject = new Map(usable.map((u) => [`${u.read.kind}/${u.read.name}`, u.read]));
  for (const p of crossObjectProblems(usable.map((u) => u.herald), secrets)) {
    const read = byObject.get(`${p.kind}/${p.name}`);
    if (read) report.problems.push({ file: read.file, line: read.line, object: `${p.kind}/${p.name}`, message: p.message });
  }
  const unnamed = usable.filter((u) => u.read.namespace === undefined).length;
  if (unnamed > 0) {
    report.notes.push(`${count(unnamed, 'Herald object')} without a namespace: apply them with -n ${HERALD_NAMESPACE}, the only namespace Herald reads`);
  }
  if (!secrets && usable.some((u) => u.read.kind === 'BGPPeer' && (u.herald.object.spec as { passwordSecret?: unknown } | undefined)?.passwordSecret)) {
    report.notes.push('passwordSecret not checked: the input holds no Secret (give the Secret\'s manifest too, or let the controller check it)');
  }
  if (usable.some((u) => u.read.kind === 'L2Advertisement' && ((u.herald.object.spec as { interfaces?: unknown[] } | undefined)?.interfaces ?? []).length > 0)) {
    report.notes.push('L2Advertisement interfaces not checked: only the speakers know which interfaces their nodes have');
  }
}

function countValid(report: Report, herald: readonly Read[]): void {
  const bad = new Set(report.problems.map((p) => `${p.file}\u0000${p.line}\u0000${p.object ?? ''}`));
  for (const one of herald) {
    if (bad.has(`${one.file}\u0000${one.line}\u0000${one.kind}/${one.name}`)) continue;
    report.valid.set(one.kind, (report.valid.get(one.kind) ?? 0) + 1);
  }
}
