import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSimApp, loadSimConfig } from '../src/index.ts';

const ACCOUNT_SID = `AC${'f'.repeat(32)}`;
const AUTH_TOKEN = 'sim-test-token';

describe('sms-sim: Twilio Messages API with fault modes', () => {
  let sim: FastifyInstance;
  let simUrl: string;
  let receiver: Server;
  let receiverUrl: string;
  const callbacks: Array<{ url: string; params: Record<string, string>; valid: boolean }> = [];
  let client: twilio.Twilio;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const url = `${receiverUrl}${req.url}`;
        const valid = twilio.validateRequest(AUTH_TOKEN, String(req.headers['x-twilio-signature']), url, params);
        callbacks.push({ url, params, valid });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sim = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: receiverUrl,
      number: '+358451234567',
      callbackDelayMs: 1,
      logger: pino({ level: 'silent' }),
    });
    await sim.listen({ host: '127.0.0.1', port: 0 });
    simUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    client = twilio(ACCOUNT_SID, AUTH_TOKEN, { autoRetry: false });
    // The SDK's own request client, sent to sms-sim instead of api.twilio.com.
    const rc = client.httpClient as unknown as { request: (o: { uri: string }) => Promise<unknown> };
    const original = rc.request.bind(rc);
    rc.request = (o) => original({ ...o, uri: o.uri.replace('https://api.twilio.com', simUrl) });
  });
  afterAll(async () => {
    await sim?.close();
    receiver?.close();
  });
  beforeEach(async () => {
    await fetch(`${simUrl}/sim/faults`, { method: 'DELETE' });
    callbacks.length = 0;
  });

  const send = (to: string, statusCallback = `${receiverUrl}/status/1`) =>
    client.messages.create({ to, from: '+358451234567', body: 'Kiitos käynnistäsi!', statusCallback, validityPeriod: 600 });
  const fault = (rule: unknown) =>
    fetch(`${simUrl}/sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });

  it('creates the message as Twilio does and sends signed callbacks sent → delivered, none for the initial queued', async () => {
    const message = await send('+358401110001');
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.numSegments).toBe('1');
    expect(message.status).toBe('queued');
    await waitFor(() => callbacks.length === 2, 5000, 'two callbacks');
    await new Promise((r) => setTimeout(r, 100)); // a third would arrive by now
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
    expect(callbacks.every((c) => c.valid && c.params.MessageSid === message.sid)).toBe(true);
  });

  it('says the replies service is not reachable when a patient reply cannot be delivered, instead of a bare 500 (a contract probe)', async () => {
    const lonely = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: 'http://127.0.0.1:1',
      number: '+358451234567',
      callbackDelayMs: 1,
      logger: pino({ level: 'silent' }),
    });
    try {
      const res = await lonely.inject({ method: 'POST', url: '/sim/reply', payload: { from: '+358401234567', body: '9' } });
      expect(res.statusCode).toBe(502);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json()).toMatchObject({ title: 'Replies service not reachable', detail: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await lonely.close();
    }
    const refused = createServer((_req, res) => res.writeHead(403).end());
    await new Promise<void>((resolve) => refused.listen(0, '127.0.0.1', resolve));
    const refusing = buildSimApp({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicBaseUrl: `http://127.0.0.1:${(refused.address() as AddressInfo).port}`,
      number: '+358451234567',
      callbackDelayMs: 1,
      logger: pino({ level: 'silent' }),
    });
    try {
      const res = await refusing.inject({ method: 'POST', url: '/sim/reply', payload: { from: '+358401234567', body: '9' } });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ title: 'Replies service refused the reply', detail: expect.stringMatching(/HTTP 403/) });
    } finally {
      await refusing.close();
      refused.close();
    }
  });

  it('refuses wrong credentials with 20003, as Twilio does', async () => {
    const res = await fetch(`${simUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:wrong`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'To=%2B358401110001&Body=x&From=%2B358451234567',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 20003 });
  });

  it('answers a chosen Twilio error for one number, as many times as asked', async () => {
    expect((await fault({ kind: 'error', to: '+358401110002', code: 21614, times: 1 })).status).toBe(201);
    await expect(send('+358401110002')).rejects.toMatchObject({ status: 400, code: 21614 });
    await expect(send('+358401110002')).resolves.toMatchObject({ to: '+358401110002' });
  });

  it('429 and 500 create no message', async () => {
    await fault([
      { kind: 'rate-limit', times: 1 },
      { kind: 'server-error', times: 1 },
    ]);
    await expect(send('+358401110003')).rejects.toMatchObject({ status: 429, code: 20429 });
    await expect(send('+358401110003')).rejects.toMatchObject({ status: 500 });
    const { messages } = (await (await fetch(`${simUrl}/sim/messages?to=%2B358401110003`)).json()) as { messages: unknown[] };
    expect(messages).toEqual([]);
  });

  it('a dropped connection: the caller gets no answer, but the message exists and its callbacks come', async () => {
    await fault({ kind: 'drop', times: 1 });
    await expect(send('+358401110004')).rejects.toBeTruthy();
    const { messages } = (await (await fetch(`${simUrl}/sim/messages?to=%2B358401110004`)).json()) as { messages: unknown[] };
    expect(messages).toHaveLength(1);
    await waitFor(() => callbacks.some((c) => c.params.MessageStatus === 'delivered'), 5000, 'delivered');
  });

  it('a dropped connection with its callbacks lost too (callbacks: false): the message exists, and no callback comes (a probe: they came)', async () => {
    await fault({ kind: 'drop', times: 1, callbacks: false });
    await expect(send('+358401110014')).rejects.toBeTruthy();
    const { messages } = (await (await fetch(`${simUrl}/sim/messages?to=%2B358401110014`)).json()) as { messages: unknown[] };
    expect(messages).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300)); // callbacks come after 1 ms here
    expect(callbacks.filter((c) => c.url.includes('status'))).toEqual([]);
  });

  it('holds an answer until released, then answers', async () => {
    await fault({ kind: 'hold', times: 1 });
    const pending = send('+358401110005');
    await waitFor(async () => ((await (await fetch(`${simUrl}/sim/faults`)).json()) as { held: number }).held === 1, 5000, 'held');
    expect(callbacks).toEqual([]);
    expect(await (await fetch(`${simUrl}/sim/faults/release`, { method: 'POST' })).json()).toEqual({ released: 1 });
    await expect(pending).resolves.toMatchObject({ to: '+358401110005' });
  });

  it('reports undelivered with an ErrorCode for chosen numbers', async () => {
    await fault({ kind: 'undelivered', to: '+358401110006', code: 30005 });
    const message = await send('+358401110006');
    const mine = () => callbacks.filter((c) => c.params.MessageSid === message.sid).map((c) => c.params);
    await waitFor(() => mine().length === 2, 5000, 'callbacks');
    expect(mine().map((c) => c.MessageStatus)).toEqual(['sent', 'undelivered']);
    expect(mine()[1]).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30005' });
  });

  it('refuses a malformed fault rule with problem+json naming the field', async () => {
    const res = await fault({ kind: 'error', to: '+358401110007' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await res.text()).toMatch(/code/);
    expect((await fault({ kind: 'explode' })).status).toBe(400);
  });

  it('reads fault rules from the environment, and names a bad one', () => {
    const config = loadSimConfig({ SMS_SIM_FAULTS: '[{"kind":"rate-limit","times":2}]', SMS_SIM_UNDELIVERED_NUMBERS: '+358401110008' });
    expect(config.SMS_SIM_FAULTS).toContain('rate-limit');
    expect(() => loadSimConfig({ SMS_SIM_FAULTS: '{"kind":"nope"}' })).toThrow(/SMS_SIM_FAULTS/);
  });
});
