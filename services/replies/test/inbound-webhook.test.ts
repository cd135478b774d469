import { readFileSync } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTwilioSignature } from '../src/twilio-webhook.ts';
import { AUTH_TOKEN, createFixture, type Fixture, nextSid, PUBLIC, stateOf } from './conversation-fixture.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../../shared/fixtures/twilio/signature-vectors.json', import.meta.url), 'utf8')) as {
  authToken: string;
  params: Record<string, string>;
  valid: Array<{ url: string; signature: string }>;
  invalid: Array<{ url: string; signature: string; paramsOverride?: Record<string, string> }>;
};

function fakeRequest(url: string, signature: string | undefined, body: Record<string, string>) {
  const u = new URL(url);
  return {
    headers: signature ? { 'x-twilio-signature': signature } : {},
    body,
    url: `${u.pathname}${u.search}`,
    base: `${u.protocol}//${u.host}`,
  };
}

describe('X-Twilio-Signature, checked with twilio-node test vectors', () => {
  it.each(vectors.valid)('accepts $url', ({ url, signature }) => {
    const r = fakeRequest(url, signature, vectors.params);
    expect(verifyTwilioSignature(r as unknown as FastifyRequest, vectors.authToken, r.base)).toEqual(vectors.params);
  });
  it('logs a refusal at warn, naming PUBLIC_BASE_URL and not the parameters', () => {
    const warnings: unknown[][] = [];
    const r = {
      ...fakeRequest(vectors.valid[0]?.url as string, 'bm90IGl0', vectors.params),
      log: { warn: (...a: unknown[]) => warnings.push(a) },
    };
    expect(() => verifyTwilioSignature(r as unknown as FastifyRequest, vectors.authToken, r.base)).toThrow();
    expect(warnings).toEqual([[{ signature: 'does not match', publicBaseUrl: r.base }, expect.stringMatching(/PUBLIC_BASE_URL/)]]);
    expect(JSON.stringify(warnings)).not.toContain(Object.values(vectors.params)[0]);
  });
  it.each(vectors.invalid)('refuses $url with 403', ({ url, signature, paramsOverride }) => {
    const r = fakeRequest(url, signature, { ...vectors.params, ...(paramsOverride ?? {}) });
    expect(() => verifyTwilioSignature(r as unknown as FastifyRequest, vectors.authToken, r.base)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});

describe('the inbound webhook refuses bad requests clearly and never answers 500', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
    f.app.inject({
      method: 'POST',
      url: '/v1/twilio/inbound',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload,
    });
  const signed = (params: Record<string, string>) => ({
    'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC}/v1/twilio/inbound`, params),
  });

  it('a missing or wrong signature is 403', async () => {
    const params = { MessageSid: nextSid(), From: '+358401111111', Body: '9' };
    expect((await post(new URLSearchParams(params).toString())).statusCode).toBe(403);
    expect((await post(new URLSearchParams(params).toString(), { 'x-twilio-signature': 'bm90IGl0' })).statusCode).toBe(403);
    // Signed over other parameters: a changed body is refused.
    const other = signed({ ...params, Body: '0' });
    expect((await post(new URLSearchParams(params).toString(), other)).statusCode).toBe(403);
  });

  it("a signature made for another URL (the status callback's, another host) is 403 and changes nothing", async () => {
    const phone = '+358403333333';
    const id = await f.invitation({ phone });
    const params = { MessageSid: nextSid(), From: phone, Body: '9' };
    for (const url of [
      `${PUBLIC}/v1/twilio/status/${id}`,
      'https://attacker.example/v1/twilio/inbound',
      `${PUBLIC}/v1/twilio/inbound?x=1`,
    ]) {
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
      const res = await post(new URLSearchParams(params).toString(), { 'x-twilio-signature': signature });
      expect(res.statusCode).toBe(403);
    }
    expect(await stateOf(f.pool, id)).toMatchObject({ score: null });
  });

  it('a replayed webhook (same MessageSid, valid signature) has no second effect', async () => {
    const phone = '+358404444444';
    const id = await f.invitation({ phone });
    const params = { MessageSid: nextSid(), From: phone, Body: '9' };
    const first = await post(new URLSearchParams(params).toString(), signed(params));
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<Message>');
    const replay = await post(new URLSearchParams(params).toString(), signed(params));
    expect(replay.statusCode).toBe(200);
    expect(replay.body).not.toContain('<Message>');
    const { rows } = await f.pool.query('SELECT count(*)::int AS n FROM responses WHERE invitation_id = $1', [id]);
    expect(rows[0].n).toBe(1);
  });

  it('missing fields are 400 problem+json naming them', async () => {
    const params = { Body: '9' };
    const res = await post(new URLSearchParams(params).toString(), signed(params));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/MessageSid/);
  });

  it('an oversized body is 413', async () => {
    const params = { MessageSid: nextSid(), From: '+358401111111', Body: 'x'.repeat(70_000) };
    const res = await post(new URLSearchParams(params).toString(), signed(params));
    expect(res.statusCode).toBe(413);
  });

  it('invalid UTF-8, NUL bytes, SQL-looking text and 1,600 characters are stored safely', async () => {
    const phone = '+358402222222';
    const id = await f.invitation({ phone });
    const raw = Buffer.concat([Buffer.from(`MessageSid=${nextSid()}&From=%2B358402222222&Body=9%20`), Buffer.from([0xff, 0xfe, 0xc3])]);
    const broken = await post(raw, { 'x-twilio-signature': 'x' });
    expect(broken.statusCode).toBe(403);
    const res = await f.sms(phone, "8 '); DROP TABLE responses; --\u0000 \uD800");
    expect(res.status).toBe(200);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: "'); DROP TABLE responses; -- \uFFFD" });
    const long = await f.sms(phone, 'ä'.repeat(1600));
    expect(long.status).toBe(200);
    expect((await stateOf(f.pool, id))?.comment).toHaveLength(1000);
  });

  it('an unknown or malformed number gets empty TwiML', async () => {
    for (const from of ['+358409999999', 'Kaiku', '12', '']) {
      const res = await f.sms(from || ' ', '9');
      expect(res.status).toBeLessThan(500);
      if (res.status === 200) expect(res.twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }
    // The body is UTF-8 ("vielä"); a client that follows HTTP's defaults must not read it as Latin-1.
    const params = { MessageSid: nextSid(), From: '+358409999998', Body: '9' };
    const res = await post(new URLSearchParams(params).toString(), signed(params));
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  });
});
