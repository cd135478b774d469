import twilio from 'twilio';
import { Agent, request } from 'undici';

export interface SignedPoster {
  /** POSTs a form signed as Twilio signs it (over `signedUrl`) to `targetUrl`; resolves to the status and body. */
  post(signedUrl: string, targetUrl: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/**
 * Twilio's webhook requests, on kept-alive connections, at most `maxInFlight` at a time (the rest
 * wait their turn, as small closures), each given up after `timeoutMs` without an answer. Carried by
 * undici: measured on this kind of machine, 126–130 µs of client CPU per request against 203–217
 * with node:http and a keep-alive agent.
 */
export function createSignedPoster(opts: { authToken: string; maxInFlight: number; timeoutMs: number }): SignedPoster {
  const dispatcher = new Agent({
    connections: opts.maxInFlight,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connectTimeout: opts.timeoutMs,
  });
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const slot = (): Promise<void> => {
    if (inFlight >= opts.maxInFlight) return new Promise<void>((r) => waiting.push(r));
    inFlight++;
    return Promise.resolve();
  };
  const done = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  };

  return {
    async post(signedUrl, targetUrl, params) {
      const signature = twilio.getExpectedTwilioSignature(opts.authToken, signedUrl, params);
      const form = new URLSearchParams(params).toString();
      await slot();
      try {
        const res = await request(targetUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          body: form,
          dispatcher,
        });
        return { status: res.statusCode, body: await res.body.text() };
      } finally {
        done();
      }
    },
    close() {
      return dispatcher.destroy();
    },
  };
}
