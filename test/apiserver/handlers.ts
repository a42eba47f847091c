// Resource requests: maps an HTTP method and path to a verb, runs it, and writes the answer (JSON, a
// Table when asked, or a watch stream).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, PageNotFound, badRequest, invalid, notFound, type FieldError } from './errors.js';
import type { Faults, Verb } from './faults.js';
import { parseBody, readBody, sendJson } from './http-util.js';
import { listObjects } from './list.js';
import type { DeleteOptions, Operations, WriteOptions } from './ops.js';
import { applyConfiguration } from './patch/apply.js';
import { patchTypeOf } from './patch/index.js';
import type { ResourcePath } from './paths.js';
import { objectFilter } from './query.js';
import type { TypeRegistry } from './registry.js';
import type { ResourceType } from './resource-type.js';
import type { Store } from './store.js';
import { tableFor, wantsTable } from './table.js';
import { isJsonObject, type KubeObject } from './types.js';
import { startWatch, type WatchRegistry, type WatchSettings } from './watch.js';

export interface HandlerContext {
  store: Store;
  registry: TypeRegistry;
  ops: Operations;
  faults: Faults;
  watches: WatchRegistry;
  watchSettings: WatchSettings;
}

function verbOf(method: string, path: ResourcePath, query: URLSearchParams): Verb {
  const watch = query.get('watch');
  switch (method) {
    case 'GET': return path.name ? 'get' : watch === '1' || watch === 'true' ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return path.name ? 'delete' : 'deletecollection';
    default: throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method}`);
  }
}

function writeOptions(query: URLSearchParams, path: ResourcePath): WriteOptions {
  const dryRun = query.getAll('dryRun');
  if (dryRun.some((v) => v !== 'All')) throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(dryRun)}: supported values: "All"`);
  if (path.subresource !== undefined && path.subresource !== 'status') {
    throw notFound(`${path.resource}/${path.subresource}`, path.group, path.name ?? '');
  }
  return { dryRun: dryRun.length > 0, subresource: path.subresource === 'status' ? 'status' : undefined,
    fieldManager: query.get('fieldManager') ?? undefined };
}

/** validateWatchOptions: a streaming list (sendInitialEvents) needs resourceVersionMatch=NotOlderThan, and only it does. */
function sendInitialEvents(query: URLSearchParams): boolean | undefined {
  const send = query.get('sendInitialEvents');
  const match = query.get('resourceVersionMatch') ?? '';
  const errors: FieldError[] = [];
  if (send !== null && match !== 'NotOlderThan') {
    errors.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
  }
  if (match !== '' && send === null) {
    errors.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  if (match !== '' && match !== 'NotOlderThan') {
    errors.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', value: match, message: 'supported values: "NotOlderThan"' });
  }
  if (errors.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', errors);
  return send === null ? undefined : send === 'true';
}

function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  if (isJsonObject(body)) {
    if (isJsonObject(body.preconditions)) options.preconditions = body.preconditions as DeleteOptions['preconditions'];
    if (typeof body.propagationPolicy === 'string') options.propagationPolicy = body.propagationPolicy;
    if (Array.isArray(body.dryRun) && body.dryRun.length > 0) options.dryRun = true;
  }
  const policy = query.get('propagationPolicy');
  if (policy) options.propagationPolicy = policy;
  if (query.getAll('dryRun').length > 0) options.dryRun = true;
  if (options.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(options.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}"`);
  }
  return options;
}

function deletedAnswer(type: ResourceType, obj: KubeObject | undefined, pending: boolean): unknown {
  if (pending || type.returnDeletedObject || !obj) return obj;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata.name, group: type.group, kind: type.plural, uid: obj.metadata.uid } };
}

function respond(res: ServerResponse, req: IncomingMessage, query: URLSearchParams, type: ResourceType, code: number, body: unknown): void {
  if (wantsTable(req.headers.accept) && isJsonObject(body) && body.kind !== 'Status') {
    sendJson(res, code, tableFor(type, body, query.get('includeObject')), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    return;
  }
  sendJson(res, code, body);
}

export async function handleResource(
  ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams,
): Promise<void> {
  const type = ctx.registry.find(path.group, path.version, path.resource);
  if (!type || (path.namespace !== undefined && !type.namespaced)) {
    if (!ctx.registry.isBuiltinGroup(path.group)) throw new PageNotFound();
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  // A kind without the status subresource has no /status route at all (a CRD that does not enable it).
  if (path.subresource === 'status' && !type.hasStatus) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const method = req.method ?? 'GET';
  const verb = verbOf(method, path, query);
  ctx.faults.check(verb, path.subresource ? `${type.plural}/${path.subresource}` : type.plural);
  const namespace = path.namespace ?? '';
  const text = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
  const contentType = req.headers['content-type'];
  const name = path.name ?? '';
  switch (verb) {
    case 'get':
      writeOptions(query, path);
      return respond(res, req, query, type, 200, ctx.ops.present(type, ctx.ops.getStored(type, namespace, name)));
    case 'list':
      return respond(res, req, query, type, 200, listObjects(ctx.store, ctx.ops, type, {
        namespace: path.namespace, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'),
        limit: query.has('limit') ? Number(query.get('limit')) : undefined, continueToken: query.get('continue') ?? undefined,
      }));
    case 'watch':
      return startWatch(res, {
        type, namespace: path.namespace, filter: objectFilter(type, query.get('labelSelector'), query.get('fieldSelector')),
        resourceVersion: query.get('resourceVersion'), allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        sendInitialEvents: sendInitialEvents(query),
        timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
      }, ctx.store, ctx.ops, ctx.watches, ctx.watchSettings);
    case 'create': {
      if (path.subresource) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const created = ctx.ops.create(type, namespace, parseBody(text, contentType), writeOptions(query, path));
      return respond(res, req, query, type, 201, created);
    }
    case 'update':
      return respond(res, req, query, type, 200,
        ctx.ops.update(type, namespace, name, parseBody(text, contentType), writeOptions(query, path)));
    case 'patch': {
      const patchType = patchTypeOf(contentType);
      const options = writeOptions(query, path);
      const body = parseBody(text, contentType);
      if (patchType === 'apply') {
        const force = query.get('force') === 'true';
        const { object, created } = applyConfiguration(ctx.ops, ctx.store, type, namespace, name, body, { ...options, force });
        return respond(res, req, query, type, created ? 201 : 200, object);
      }
      return respond(res, req, query, type, 200, ctx.ops.patch(type, namespace, name, patchType, body, options));
    }
    case 'delete': {
      const result = ctx.ops.delete(type, namespace, name, deleteOptions(parseBody(text, contentType), query));
      const pending = result !== undefined && result.metadata.deletionTimestamp !== undefined
        && ctx.store.get(type.storageKey, namespace, name) !== undefined;
      return respond(res, req, query, type, 200, deletedAnswer(type, result, pending));
    }
    case 'deletecollection': {
      const options = deleteOptions(parseBody(text, contentType), query);
      const listed = listObjects(ctx.store, ctx.ops, type, { namespace: path.namespace,
        labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector') });
      for (const obj of listed.items) ctx.ops.delete(type, obj.metadata.namespace ?? '', obj.metadata.name ?? '', options);
      return respond(res, req, query, type, 200, listed);
    }
  }
}
