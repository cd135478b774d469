import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';

export interface SignedPoster {
  /** POSTs a form signed as Twilio signs it (over `signedUrl`) to `targetUrl`; resolves to the status and body. */
  post(signedUrl: string, targetUrl: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
}

/**
 * Twilio's webhook requests, on kept-alive connections, at most `maxInFlight` at a time (the rest
 * wait their turn, as small closures), each given up after `timeoutMs`.
 */
export function createSignedPoster(opts: { authToken: string; maxInFlight: number; timeoutMs: number }): SignedPoster {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: opts.maxInFlight }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: opts.maxInFlight }),
  };
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

  function send(targetUrl: string, headers: Record<string, string>, form: string) {
    const url = new URL(targetUrl);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(form)) },
          agent: agents[url.protocol as 'http:'],
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(form);
    });
  }

  return {
    async post(signedUrl, targetUrl, params) {
      const signature = twilio.getExpectedTwilioSignature(opts.authToken, signedUrl, params);
      const form = new URLSearchParams(params).toString();
      await slot();
      try {
        return await send(targetUrl, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, form);
      } finally {
        done();
      }
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
