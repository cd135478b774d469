import { parseKaikuConfig } from '@kaiku/config';
import { renderText } from '@kaiku/core';
import { createExpiryJob } from '@kaiku/replies';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_TOKEN, type InProcessStack, startInProcessStack } from './in-process-stack.ts';

// The conversation as docs/conversation.md writes it down, through sms-sim and the real services.
const UNIT = '1.2.246.10.2085212.10.1314';
const names = { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation', en: 'Kyyjärvi health station' };
const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-conversation-token';
const keys = { pseudonymKey: Buffer.alloc(32, 3), encryptionKey: Buffer.alloc(32, 4) };
const kaiku = parseKaikuConfig({
  units: [{ id: UNIT, name: names, service: 'health-station' }],
  survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false, resurveyAfterDays: 0 },
  reporting: { minN: 1 },
});
const logger = pino({ level: 'silent' });
const text = (language: 'fi' | 'sv' | 'en', key: Parameters<typeof renderText>[1]) => renderText(language, key, { unitNames: names });

describe('conversations through sms-sim: fi, sv, en, a language switch, an opt-out and a late reply', () => {
  let stack: InProcessStack;
  let pool: InProcessStack['pool'];
  let urls: InProcessStack['urls'];
  let clockOffsetMs = 0;

  beforeAll(async () => {
    const now = () => new Date(Date.now() + clockOffsetMs);
    stack = await startInProcessStack({ kaiku, keys, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, now });
    ({ pool, urls } = stack);
  });

  afterAll(async () => {
    await stack?.close();
  });

  let visitNo = 0;
  async function visit(personalId: string, phone: string, language: string, hoursAgo = 1) {
    visitNo += 1;
    const res = await fetch(`${urls.ingest}/v1/visits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'lifecare',
        sourceEventId: `CONV-E-${visitNo}`,
        kind: 'visit-ended',
        visitId: `CONV-V-${visitNo}`,
        endedAt: new Date(Date.now() - hoursAgo * 3600_000).toISOString(),
        unit: { id: UNIT },
        service: { class: 'SOTE9.2', type: 'T11' },
        patient: {
          personalId,
          mobilePhones: [phone],
          languages: { service: language },
          nonDisclosure: false,
          deceased: false,
          smsConsent: true,
        },
      }),
    });
    return (await res.json()) as { outcome: string; reason?: string; language?: string };
  }

  async function textsTo(e164: string, count: number) {
    return waitFor(
      async () => {
        const res = await fetch(`${urls.sim}/sim/messages?to=${encodeURIComponent(e164)}&direction=outbound-api`);
        const { messages } = (await res.json()) as { messages: Array<{ body: string }> };
        return messages.length >= count ? messages.map((m) => m.body) : null;
      },
      15_000,
      `${count} survey text(s) to the patient`,
    );
  }

  async function reply(from: string, body: string) {
    const res = await fetch(`${urls.sim}/sim/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, body }),
    });
    const answer = (await res.json()) as { status: number; replies: string[] };
    expect(answer.status).toBe(200);
    return answer.replies;
  }

  async function responseOf(personalPhoneVisit: string) {
    const { rows } = await pool.query(
      `SELECT r.score, r.comment, r.language FROM responses r JOIN invitations i ON i.id = r.invitation_id JOIN visits v ON v.id = i.visit_id
       WHERE v.source_visit_id = $1`,
      [personalPhoneVisit],
    );
    return rows[0] ?? null;
  }

  it('Finnish: "ysi" → why? → a reason → thanks', async () => {
    expect(await visit('010181-900C', '040 100 0001', 'fi')).toMatchObject({ outcome: 'scheduled', language: 'fi' });
    expect(await textsTo('+358401000001', 1)).toEqual([text('fi', 'invitation')]);
    expect(await reply('+358401000001', 'ysi')).toEqual([text('fi', 'askReason')]);
    expect(await reply('+358401000001', 'Lääkäri kuunteli ja selitti hyvin')).toEqual([text('fi', 'thanks')]);
    expect(await responseOf(`CONV-V-${visitNo}`)).toEqual({ score: 9, comment: 'Lääkäri kuunteli ja selitti hyvin', language: 'fi' });
  });

  it('Swedish: a re-ask for "4 av 5", then "nio av tio", then a reason', async () => {
    expect(await visit('120354-913J', '040 100 0002', 'sv')).toMatchObject({ outcome: 'scheduled', language: 'sv' });
    expect(await textsTo('+358401000002', 1)).toEqual([text('sv', 'invitation')]);
    expect(await reply('+358401000002', '4 av 5')).toEqual([text('sv', 'reask')]);
    expect(await reply('+358401000002', 'nio av tio')).toEqual([text('sv', 'askReason')]);
    expect(await reply('+358401000002', 'Trevlig personal')).toEqual([text('sv', 'thanks')]);
    expect(await responseOf(`CONV-V-${visitNo}`)).toEqual({ score: 9, comment: '4 av 5 Trevlig personal', language: 'sv' });
  });

  it('English: score and reason in one message', async () => {
    expect(await visit('240799Y926J', '040 100 0003', 'en')).toMatchObject({ outcome: 'scheduled', language: 'en' });
    expect(await textsTo('+358401000003', 1)).toEqual([text('en', 'invitation')]);
    expect(await reply('+358401000003', 'Nine! Friendly staff but a long wait')).toEqual([text('en', 'thanks')]);
    expect(await responseOf(`CONV-V-${visitNo}`)).toEqual({ score: 9, comment: 'Friendly staff but a long wait', language: 'en' });
  });

  it('a language switch re-sends the question in English and is remembered for the next survey', async () => {
    expect(await visit('300940-962Y', '040 100 0004', 'fi', 30)).toMatchObject({ outcome: 'scheduled', language: 'fi' });
    expect(await textsTo('+358401000004', 1)).toEqual([text('fi', 'invitation')]);
    expect(await reply('+358401000004', 'In English please')).toEqual([text('en', 'invitation')]);
    expect(await reply('+358401000004', '10')).toEqual([text('en', 'askReason')]);
    expect(await reply('+358401000004', 'Quick and kind')).toEqual([text('en', 'thanks')]);
    // The next visit (another day) is surveyed in English.
    expect(await visit('300940-962Y', '040 100 0004', 'fi', 1)).toMatchObject({ outcome: 'scheduled', language: 'en' });
    expect((await textsTo('+358401000004', 2))[1]).toBe(text('en', 'invitation'));
  });

  it('an opt-out is confirmed, closes the survey, and the next visit is not surveyed', async () => {
    expect(await visit('171285-9740', '040 100 0005', 'fi', 30)).toMatchObject({ outcome: 'scheduled' });
    await textsTo('+358401000005', 1);
    expect(await reply('+358401000005', 'LOPETA')).toEqual([text('fi', 'optedOut')]);
    expect(await reply('+358401000005', '8')).toEqual([]);
    expect(await visit('171285-9740', '040 100 0005', 'fi', 1)).toMatchObject({ outcome: 'skipped', reason: 'opted-out' });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM invitations WHERE phone_hash IS NOT NULL AND status = 'expired'`);
    expect(rows[0]?.n).toBe(0);
  });

  it('a reply after the answer window gets one polite "closed" and nothing is stored', async () => {
    expect(await visit('100190-999P', '040 100 0006', 'fi')).toMatchObject({ outcome: 'scheduled' });
    await textsTo('+358401000006', 1);
    await waitFor(async () => {
      const { rows } = await pool.query(
        `SELECT expires_at FROM invitations WHERE status IN ('sent', 'delivered') AND expires_at IS NOT NULL`,
      );
      return rows.length > 0;
    });
    clockOffsetMs = (kaiku.survey.answerWindowDays + 1) * 86_400_000;
    const expiry = createExpiryJob({ pool, logger, now: () => new Date(Date.now() + clockOffsetMs) });
    expect((await expiry.runOnce()).expired).toBeGreaterThan(0);
    expect(await reply('+358401000006', '9 hyvä')).toEqual([text('fi', 'closed')]);
    expect(await reply('+358401000006', '9 hyvä')).toEqual([]);
    expect(await responseOf(`CONV-V-${visitNo}`)).toBeNull();
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM invitations WHERE phone_enc IS NOT NULL AND status = 'expired'`);
    expect(rows[0]?.n).toBe(0);
  });
});
