// The HTTP front: latency fault, routing to discovery, OpenAPI or resource handlers, and errors as Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  aggregatedContentType, aggregatedDiscovery, aggregatedVersion, apiGroup, apiGroupList, apiVersions, resourceList, SERVER_VERSION,
} from './discovery.js';
import { ApiError, PageNotFound } from './errors.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { sendError, sendJson } from './http-util.js';
import { openApiDocument } from './openapi.js';
import { parsePath } from './paths.js';

/** A Status under /api and built-in groups, kube's plain-text page anywhere else. */
function notFound(ctx: HandlerContext, group: string | undefined): Error {
  return group !== undefined && ctx.registry.isBuiltinGroup(group)
    ? new ApiError(404, 'NotFound', 'the server could not find the requested resource') : new PageNotFound();
}

function sendDiscovery(res: ServerResponse, req: IncomingMessage, ctx: HandlerContext, legacy: boolean): void {
  const aggregated = aggregatedVersion(req.headers.accept);
  if (aggregated) {
    sendJson(res, 200, aggregatedDiscovery(ctx.registry, legacy, aggregated), aggregatedContentType(aggregated));
  } else {
    sendJson(res, 200, legacy ? apiVersions(req.headers.host ?? '') : apiGroupList(ctx.registry));
  }
}

async function route(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const parsed = parsePath(url.pathname);
  switch (parsed.kind) {
    case 'resource':
      return handleResource(ctx, req, res, parsed.path, url.searchParams);
    case 'root':
      return sendDiscovery(res, req, ctx, parsed.legacy);
    case 'group': {
      const group = apiGroup(ctx.registry, parsed.group);
      if (!group) throw notFound(ctx, parsed.group);
      return sendJson(res, 200, group);
    }
    case 'groupVersion': {
      const list = resourceList(ctx.registry, parsed.group, parsed.version);
      if (!list) throw notFound(ctx, parsed.group);
      return sendJson(res, 200, list);
    }
    case 'other': {
      if (parsed.path === '/version' || parsed.path === '/version/') return sendJson(res, 200, SERVER_VERSION);
      if (['/healthz', '/livez', '/readyz'].includes(parsed.path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      const openapi = openApiDocument(ctx.registry, parsed.path);
      if (openapi !== undefined) return sendJson(res, 200, openapi);
      const [root, group] = parsed.path.split('/').filter((s) => s !== '');
      throw notFound(ctx, root === 'api' ? '' : root === 'apis' ? group : undefined);
    }
  }
}

export function requestListener(ctx: HandlerContext, onRequest?: (req: IncomingMessage) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    onRequest?.(req);
    const run = (): void => {
      route(ctx, req, res).catch((error: unknown) => sendError(res, error));
    };
    const latency = ctx.faults.latencyMs;
    if (latency > 0) setTimeout(run, latency);
    else run();
  };
}
