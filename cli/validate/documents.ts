// The objects in the files a user names, as kubectl -f reads them: a file, a folder (recursively, its .yaml, .yml
// and .json files, in name order) or "-" for stdin; several YAML documents per file; a List's items one by one.
// A document that does not parse is reported with its file and line, and the others are read on.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';

export type JsonObject = Record<string, unknown>;

/** One object read from a file: where it starts (1-based line) and its value. */
export interface SourceObject {
  file: string;
  line: number;
  object: JsonObject;
}

/** A document that is not an object kubectl could send. */
export interface ReadError {
  file: string;
  line: number;
  message: string;
}

export interface ReadResult {
  objects: SourceObject[];
  errors: ReadError[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
export const STDIN = '-';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The files a -f argument stands for: itself, or every manifest below a folder. */
export function manifestFiles(path: string): string[] {
  if (path === STDIN) return [STDIN];
  if (!statSync(path, { throwIfNoEntry: false })) throw new Error(`the path "${path}" does not exist`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return manifestFiles(full);
      return MANIFEST_EXTENSIONS.has(extname(entry.name)) ? [full] : [];
    });
}

/** A List (kind: List, or any *List with items) stands for its items, each at the List's line. */
function flattenLists(value: JsonObject): JsonObject[] {
  const kind = typeof value.kind === 'string' ? value.kind : '';
  if (kind.endsWith('List') && Array.isArray(value.items)) return value.items.filter(isObject).flatMap(flattenLists);
  return [value];
}

/** Every object in `text` (the contents of `file`), and every document that is not one. */
export function parseManifests(file: string, text: string): ReadResult {
  const lineCounter = new LineCounter();
  const result: ReadResult = { objects: [], errors: [] };
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    const [firstError] = doc.errors;
    if (firstError) {
      const line = lineCounter.linePos(firstError.pos[0]).line;
      result.errors.push({ file, line, message: `YAML parse error: ${(firstError.message.split('\n')[0] ?? '').replace(/:$/, '')}` });
      continue;
    }
    const value: unknown = doc.toJS();
    const line = lineCounter.linePos(doc.contents?.range[0] ?? 0).line;
    if (value === null || value === undefined) continue;
    if (!isObject(value)) {
      result.errors.push({ file, line, message: `the document is a ${Array.isArray(value) ? 'list' : typeof value}, not a Kubernetes object` });
      continue;
    }
    for (const object of flattenLists(value)) result.objects.push({ file, line, object });
  }
  return result;
}

/** Reads every -f argument; stdin is read at most once, whatever the number of "-". */
export function readManifests(paths: readonly string[], readStdin: () => string): ReadResult {
  const result: ReadResult = { objects: [], errors: [] };
  const files = [...new Set(paths.flatMap(manifestFiles))];
  for (const file of files) {
    const text = file === STDIN ? readStdin() : readFileSync(file, 'utf8');
    const one = parseManifests(file === STDIN ? '<stdin>' : file, text);
    result.objects.push(...one.objects);
    result.errors.push(...one.errors);
  }
  return result;
}
