import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient.js';

/** The SDK's own request client, pointed at another base URL (sms-sim, Prism) when one is given. */
class RedirectingRequestClient extends twilio.RequestClient {
  readonly #base: string;
  constructor(baseUrl: string, timeoutMs: number, maxSockets: number) {
    super({ timeout: timeoutMs, keepAlive: true, maxSockets });
    this.#base = baseUrl.replace(/\/+$/, '');
  }
  override request<T>(opts: BaseRequestClient.RequestOptions<T>) {
    const uri = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: `${this.#base}${uri.pathname}${uri.search}` });
  }
}

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
  /**
   * Connections to Twilio at once: at least the worker's concurrency. The SDK's default is 20, and
   * a request queued behind them for a socket runs down its timeout unsent, to end as `unknown`.
   */
  maxSockets?: number;
}

export function createTwilioClient(s: TwilioSettings): twilio.Twilio {
  const timeout = s.timeoutMs ?? 10_000;
  const maxSockets = Math.max(20, s.maxSockets ?? 0);
  const httpClient = s.apiBaseUrl
    ? new RedirectingRequestClient(s.apiBaseUrl, timeout, maxSockets)
    : new twilio.RequestClient({ timeout, keepAlive: true, maxSockets });
  return twilio(s.accountSid, s.authToken, { httpClient, autoRetry: false });
}
export type TwilioClient = twilio.Twilio;
