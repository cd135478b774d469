import twilio from 'twilio';
import { createTwilioHttpClient } from './twilio-http-client.ts';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** Another base URL (sms-sim, Prism) to send every request to instead of api.twilio.com. */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
  /**
   * Connections to Twilio at once: at least the worker's concurrency (and never fewer than the
   * SDK's own default of 20). A request queued behind them for a socket runs down its timeout
   * unsent, to end as `unknown`.
   */
  maxSockets?: number;
}

/** The real Twilio SDK over the lean transport of twilio-http-client.ts; no automatic retries. */
export function createTwilioClient(s: TwilioSettings): twilio.Twilio {
  const httpClient = createTwilioHttpClient({
    baseUrl: s.apiBaseUrl,
    timeoutMs: s.timeoutMs ?? 10_000,
    maxSockets: Math.max(20, s.maxSockets ?? 0),
  });
  // The SDK types its httpClient option as its own RequestClient class; it only calls request().
  return twilio(s.accountSid, s.authToken, { httpClient: httpClient as unknown as twilio.RequestClient, autoRetry: false });
}
export type TwilioClient = twilio.Twilio;
