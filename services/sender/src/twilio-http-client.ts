// The transport under the real Twilio SDK: the SDK builds every request (URL, form, auth, headers)
// and parses every answer; this only carries it, over undici's kept-alive connections. The SDK's
// default transport goes through axios, which cost about 40 % of the sender's CPU per text. Over
// undici this transport took 233–247 µs of client CPU per Twilio-shaped request against 287–292
// with node:http and a keep-alive agent; through the SDK's messages.create the difference was
// within noise (measured on this kind of machine, BENCHMARKS.md, fifth session).
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';

/** What the SDK hands its `httpClient` (twilio/lib/base/RequestClient's RequestOptions). */
export interface TwilioHttpRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  authStrategy?: { getAuthString(): Promise<string> };
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
  timeout?: number;
}

/** What the SDK expects back: the status and the raw body, which it parses itself. */
export interface TwilioHttpResponse {
  statusCode: number;
  body: string;
  headers: IncomingHttpHeaders;
}

export interface TwilioHttpClientOptions {
  /** Another base URL (sms-sim, Prism) to send every request to instead of Twilio's hosts. */
  baseUrl?: string | undefined;
  timeoutMs: number;
  maxSockets: number;
}

/** A socket or answer that did not come in time: it may have reached Twilio, so it is ambiguous. */
export class TwilioTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer from Twilio within ${ms} ms`);
    this.name = 'TwilioTimeoutError';
  }
}

/** Adds `data` to `form` as the SDK's own client encodes it: arrays repeat their key, undefined is left out. */
function appendForm(form: URLSearchParams, data: Record<string, unknown>): URLSearchParams {
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) form.append(key, String(v));
    else form.append(key, String(value));
  }
  return form;
}

export const encodeForm = (data: Record<string, unknown>): string => appendForm(new URLSearchParams(), data).toString();

export function createTwilioHttpClient(o: TwilioHttpClientOptions) {
  // Timeouts are the request's own deadline below, which also counts the wait for a connection.
  const dispatcher = new Agent({ connections: o.maxSockets, headersTimeout: 0, bodyTimeout: 0 });
  const base = o.baseUrl ? new URL(o.baseUrl.replace(/\/+$/, '')) : null;

  async function request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');
    const target = new URL(opts.uri);
    const url = base ? new URL(`${base.pathname.replace(/\/$/, '')}${target.pathname}${target.search}`, base) : target;
    if (opts.params) appendForm(url.searchParams, opts.params);

    // undici keeps connections alive and counts the body's length itself.
    const { Connection: _c, 'Content-Length': _l, ...sdkHeaders } = opts.headers ?? {};
    const headers: Record<string, string> = sdkHeaders;
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data) body = headers['Content-Type'] === 'application/json' ? JSON.stringify(opts.data) : encodeForm(opts.data);

    const timeoutMs = opts.timeout ?? o.timeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new TwilioTimeoutError(timeoutMs)), timeoutMs);
    try {
      const res = await undiciRequest(url, { method: opts.method.toUpperCase(), headers, body, dispatcher, signal: deadline.signal });
      return { statusCode: res.statusCode, body: await res.body.text(), headers: res.headers as IncomingHttpHeaders };
    } finally {
      clearTimeout(timer);
    }
  }

  // Idle kept-alive connections do not hold the process open, so there is nothing to close at
  // shutdown.
  return { request };
}
