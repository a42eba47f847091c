// Reading request bodies and writing JSON and Status responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, PageNotFound, badRequest } from './errors.js';
import { decodeProtobuf, isProtobuf } from './protobuf.js';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, YAML for server-side apply (kube accepts both media types for apply), or kubectl's protobuf. */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (isProtobuf(contentType)) return decodeProtobuf(raw);
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  const yaml = (contentType ?? '').includes('yaml');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw badRequest(`error decoding ${yaml ? 'YAML' : 'JSON'} request body: ${message.split('\n')[0]}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof PageNotFound && !res.headersSent) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(`${error.message}\n`);
    return;
  }
  const apiError = error instanceof ApiError ? error
    : new ApiError(500, 'InternalError', `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (apiError.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(apiError.details.retryAfterSeconds));
  sendJson(res, apiError.code, apiError.toStatus());
}
