import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimApp, loadSimConfig } from '../src/index.ts';
import { createMessageStore, type SimMessage } from '../src/message-store.ts';

const message = (k: number, to: string): SimMessage => ({
  sid: `SM${String(k).padStart(32, '0')}`,
  direction: 'outbound-api',
  from: '+358451234567',
  to,
  body: `text ${k}`,
  status: 'queued',
  numSegments: 1,
  statusCallback: null,
  messagingServiceSid: null,
  validityPeriod: null,
  dateCreated: new Date(),
});

describe('sms-sim message store: the newest messages only, indexed', () => {
  it('keeps at most maxMessages, forgetting the oldest, in order, by sid and by number', () => {
    const store = createMessageStore(3);
    for (let k = 1; k <= 5; k++) store.add(message(k, k % 2 ? '+358401' : '+358402'));
    expect(store.size()).toBe(3);
    expect(store.list().map((m) => m.body)).toEqual(['text 3', 'text 4', 'text 5']);
    expect(store.list({ to: '+358401' }).map((m) => m.body)).toEqual(['text 3', 'text 5']);
    expect(store.list({ to: '+358402' }).map((m) => m.body)).toEqual(['text 4']);
    expect(store.get(message(1, '').sid)).toBeUndefined();
    expect(store.get(message(4, '').sid)?.body).toBe('text 4');
    expect(store.list({ direction: 'inbound' })).toEqual([]);
    store.clear();
    expect(store.list()).toEqual([]);
  });

  it('defaults to 10,000 messages, and SMS_SIM_MAX_MESSAGES sets it', () => {
    expect(loadSimConfig({}).SMS_SIM_MAX_MESSAGES).toBe(10_000);
    expect(loadSimConfig({ SMS_SIM_MAX_MESSAGES: '50' }).SMS_SIM_MAX_MESSAGES).toBe(50);
    expect(() => loadSimConfig({ SMS_SIM_MAX_MESSAGES: '0' })).toThrow(/SMS_SIM_MAX_MESSAGES/);
  });
});

describe('sms-sim beyond its message limit', () => {
  let sim: FastifyInstance;
  let simUrl: string;
  let receiver: Server;
  let receiverUrl: string;
  const statuses = new Map<string, string[]>();
  const AUTH = 'store-test-token';
  const SID = `AC${'1'.repeat(32)}`;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const p = new URLSearchParams(body);
        const sid = p.get('MessageSid') as string;
        statuses.set(sid, [...(statuses.get(sid) ?? []), p.get('MessageStatus') as string]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sim = buildSimApp({
      accountSid: SID,
      authToken: AUTH,
      publicBaseUrl: receiverUrl,
      number: '+358451234567',
      callbackDelayMs: 20,
      logger: pino({ level: 'silent' }),
      store: createMessageStore(5),
      maxCallbacksInFlight: 2,
    });
    await sim.listen({ host: '127.0.0.1', port: 0 });
    simUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    statuses.clear();
  });
  afterAll(async () => {
    await sim?.close();
    receiver?.close();
  });

  it('lists the newest messages only, and every message still gets its three callbacks, a few in flight at a time', async () => {
    const sids: string[] = [];
    for (let k = 0; k < 12; k++) {
      const res = await fetch(`${simUrl}/2010-04-01/Accounts/${SID}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          To: `+3584011100${String(k).padStart(2, '0')}`,
          From: '+358451234567',
          Body: `m${k}`,
          StatusCallback: `${receiverUrl}/s`,
        }).toString(),
      });
      expect(res.status).toBe(201);
      sids.push(((await res.json()) as { sid: string }).sid);
    }
    const { messages } = (await (await fetch(`${simUrl}/sim/messages`)).json()) as { messages: Array<{ sid: string }> };
    expect(messages.map((m) => m.sid)).toEqual(sids.slice(-5));
    await waitFor(() => sids.every((sid) => statuses.get(sid)?.length === 2), 10_000, 'every callback');
    for (const sid of sids) expect(statuses.get(sid)).toEqual(['sent', 'delivered']);
  });
});
