// The SDK over the lean transport, against a local HTTP server standing in for Twilio: what goes on
// the wire, how many connections it opens, and how each failure reaches the send-error classifier.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySendError, sendErrorCause } from '../src/send-errors.ts';
import { createTwilioClient } from '../src/twilio-client.ts';
import { encodeForm } from '../src/twilio-http-client.ts';

const SID = `AC${'d'.repeat(32)}`;
const TOKEN = 'transport-token';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: object;
}

describe('twilio transport under the SDK', () => {
  const seen: Seen[] = [];
  let answer: (req: Seen, res: http.ServerResponse) => void;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: req.socket };
        seen.push(s);
        answer(s, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const created = (s: Seen, res: http.ServerResponse) => {
    const form = new URLSearchParams(s.body);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: `SM${'0'.repeat(32)}`, status: 'queued', to: form.get('To'), num_segments: '1' }));
  };

  it('sends the form, Basic auth and path the SDK built, under the base URL, and parses the answer', async () => {
    seen.length = 0;
    answer = created;
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base });
    const message = await client.messages.create({
      to: '+358401234567',
      from: '+358451234567',
      body: 'Kiitos käynnistäsi – vastaa 0–10',
      statusCallback: 'https://kaiku.example/v1/twilio/status/1?x=1&y=ä',
      validityPeriod: 600,
    });
    expect(message.sid).toBe(`SM${'0'.repeat(32)}`);
    expect(message.status).toBe('queued');
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/prefix/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers['user-agent']).toMatch(/^twilio-node\//);
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      To: '+358401234567',
      From: '+358451234567',
      Body: 'Kiitos käynnistäsi – vastaa 0–10',
      StatusCallback: 'https://kaiku.example/v1/twilio/status/1?x=1&y=ä',
      ValidityPeriod: '600',
    });
    expect(Number(req?.headers['content-length'])).toBe(Buffer.byteLength(req?.body ?? ''));
  });

  it('carries query parameters of a read, and repeats the key of a list as the SDK client does', async () => {
    seen.length = 0;
    answer = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages: [], end: 0, page: 0, page_size: 20, start: 0, next_page_uri: null }));
    };
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base });
    await client.messages.list({ to: '+358401234567', limit: 20 });
    expect(seen[0]?.method).toBe('GET');
    expect(new URL(seen[0]?.url ?? '', 'http://x').searchParams.get('To')).toBe('+358401234567');
    expect(encodeForm({ MediaUrl: ['a', 'b'], Body: 'x', Skip: undefined })).toBe('MediaUrl=a&MediaUrl=b&Body=x');
  });

  it("turns Twilio's error answer into the SDK's RestException, classified by its code", async () => {
    answer = (_s, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 21211,
          message: "The 'To' number is not valid.",
          more_info: 'https://www.twilio.com/docs/errors/21211',
          status: 400,
        }),
      );
    };
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base });
    const error = await client.messages.create({ to: '+3584', from: '+358451234567', body: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 21211 });
    expect(classifySendError(error)).toEqual({ kind: 'permanent', code: 21211, optOut: false });
    expect(sendErrorCause(error)).toEqual({ status: 400, cause: 'HTTP 400' });
  });

  it('keeps connections alive and opens as many as the concurrency asks, never fewer than 20', async () => {
    const pending: Array<() => void> = [];
    answer = (s, res) => pending.push(() => created(s, res));
    for (const [asked, expected] of [
      [30, 30],
      [4, 20],
    ] as const) {
      seen.length = 0;
      const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base, maxSockets: asked });
      const sends = Array.from({ length: 40 }, (_, i) =>
        client.messages.create({ to: `+35840100${1000 + i}`, from: '+358451234567', body: 'x' }),
      );
      const deadline = Date.now() + 5000;
      while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100)); // more than the pool would show up by now
      expect(seen.length).toBe(expected);
      while (seen.length < 40 || pending.length) {
        pending.splice(0).forEach((release) => {
          release();
        });
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(sends);
      expect(new Set(seen.map((s) => s.socket)).size).toBe(expected);
    }
  });

  it('a request that gets no answer in time is ambiguous (it may have reached Twilio)', async () => {
    answer = () => {}; // never answers
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: base, timeoutMs: 200 });
    const error = await client.messages.create({ to: '+358401234567', from: '+358451234567', body: 'x' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/within 200 ms/);
    expect(classifySendError(error)).toEqual({ kind: 'ambiguous', code: null });
    expect(sendErrorCause(error)).toEqual({ cause: 'ETIMEDOUT' }); // what the log says: no answer in time
  });

  it('a refused connection is transient and surely created nothing', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: `http://127.0.0.1:${port}` });
    const error = await client.messages.create({ to: '+358401234567', from: '+358451234567', body: 'x' }).catch((e: unknown) => e);
    expect(classifySendError(error)).toEqual({ kind: 'transient', code: null, rateLimited: false, mayHaveCreated: false });
  });
});
