// What one identity asked the API server and how it answered, seen from the client side: client-node sends every
// request (calls, lists, watches) through undici, which publishes each answer's status line on the
// `undici:request:headers` diagnostics channel. Requests are told apart by the bearer token they carry, so the
// in-process controller's requests are kept and the test's own (admin) requests are not. This works against any
// server, unlike the emulator's onRequest hook.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

export interface AnsweredRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  status: number;
}

/** The part of undici's message we read (undici's Request: headers as a flat [name, value, ...] list). */
interface HeadersMessage {
  request: { method: string; path: string; headers: (string | string[])[] };
  response: { statusCode: number };
}

const CHANNEL = 'undici:request:headers';

function authorization(headers: (string | string[])[]): string | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    if (typeof name === 'string' && name.toLowerCase() === 'authorization') return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export class RequestLog {
  readonly answered: AnsweredRequest[] = [];
  private readonly listener = (message: unknown): void => {
    const { request, response } = message as HeadersMessage;
    if (authorization(request.headers) !== `Bearer ${this.token}`) return;
    this.answered.push({ method: request.method, path: request.path, status: response.statusCode });
  };

  constructor(private readonly token: string) {}

  start(): this {
    subscribe(CHANNEL, this.listener);
    return this;
  }

  stop(): void {
    unsubscribe(CHANNEL, this.listener);
  }
}
