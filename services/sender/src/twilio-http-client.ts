// The transport under the real Twilio SDK: the SDK builds every request (URL, form, auth, headers)
// and parses every answer; this only carries it over node:http(s) with a keep-alive agent. The
// SDK's default transport goes through axios, which cost about 40 % of the sender's CPU per text.
import http from 'node:http';
import https from 'node:https';

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
  headers: http.IncomingHttpHeaders;
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
  const agentOptions = { keepAlive: true, maxSockets: o.maxSockets, maxFreeSockets: o.maxSockets, timeout: o.timeoutMs };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  const base = o.baseUrl ? new URL(o.baseUrl.replace(/\/+$/, '')) : null;

  async function request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');
    const target = new URL(opts.uri);
    const url = base ? new URL(`${base.pathname.replace(/\/$/, '')}${target.pathname}${target.search}`, base) : target;
    if (opts.params) appendForm(url.searchParams, opts.params);

    const headers: Record<string, string> = { ...opts.headers, Connection: 'keep-alive' };
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data) {
      const type = headers['Content-Type'];
      body = type === 'application/json' ? JSON.stringify(opts.data) : encodeForm(opts.data);
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }

    const timeoutMs = opts.timeout ?? o.timeoutMs;
    const transport = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    return new Promise<TwilioHttpResponse>((resolve, reject) => {
      const req = transport.request(url, { method: opts.method.toUpperCase(), headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new TwilioTimeoutError(timeoutMs)), timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      req.on('error', fail);
      req.end(body);
    });
  }

  // Idle keep-alive sockets do not hold the process open (the agent unrefs them), so there is
  // nothing to close at shutdown.
  return { request };
}
