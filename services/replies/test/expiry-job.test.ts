import { phoneHashOf, renderText } from '@kaiku/core';
import { createPool } from '@kaiku/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpiryJob } from '../src/expiry-job.ts';
import { createFixture, type Fixture, keys, stateOf } from './conversation-fixture.ts';

const DAY = 86_400_000;

describe('the expiry job closes surveys and erases their phone data', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('expires unanswered surveys, keeps answers, erases phone data, and a late reply gets one "closed"', async () => {
    const late = '+358403333331';
    const answered = '+358403333332';
    const open = '+358403333333';
    const unanswered = await f.invitation({ phone: late, language: 'sv', expiresAt: new Date(Date.now() - 1000) });
    await f.invitation({ phone: late, language: 'sv', expiresAt: new Date(Date.now() - 2 * DAY), endedAt: new Date(Date.now() - 9 * DAY) });
    const done = await f.invitation({ phone: answered, expiresAt: new Date(Date.now() + DAY) });
    await f.sms(answered, '9 hyvä');
    await f.pool.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [done]);
    await f.sms(open, 'Jonotin kauan');
    const stillOpen = await f.invitation({ phone: open, expiresAt: new Date(Date.now() + DAY) });
    await f.sms(open, 'Jonotin kauan');

    const job = createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), batchSize: 1 });
    const run = await job.runOnce();
    expect(run).toMatchObject({ expired: 2, erased: 3 });
    expect(await stateOf(f.pool, unanswered)).toMatchObject({
      status: 'expired',
      has_phone: false,
      has_phone_hash: false,
      pending_comment: null,
    });
    expect(await stateOf(f.pool, done)).toMatchObject({ status: 'completed', score: 9, comment: 'hyvä', has_phone: false });
    expect(await stateOf(f.pool, stillOpen)).toMatchObject({ status: 'delivered', has_phone: true, pending_comment: 'Jonotin kauan' });
    expect((await job.runOnce()).erased).toBe(0);

    // Only the keyed hash is kept, and only for the "closed" notice.
    const { rows } = await f.pool.query('SELECT phone_hash, language FROM closed_surveys ORDER BY language');
    expect(rows).toEqual([
      { phone_hash: phoneHashOf(keys, answered), language: 'fi' },
      { phone_hash: phoneHashOf(keys, late), language: 'sv' },
    ]);
    expect((await f.sms(late, '10')).replies).toEqual([renderText('sv', 'closed')]);
    expect((await f.sms(late, '10')).replies).toEqual([]);
    const { rowCount } = await f.pool.query('SELECT 1 FROM responses WHERE score = 10');
    expect(rowCount).toBe(0);
    // "…so your answer was not saved" would be untrue to the patient who answered: nothing is sent.
    expect((await f.sms(answered, 'Kiitos vielä!')).replies).toEqual([]);
  });

  it('a language asked for after the window is kept for the next survey, and the one notice is in it', async () => {
    const chosen = async (phone: string) =>
      (await f.pool.query('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHashOf(keys, phone)])).rows[0]?.language;
    // before the expiry job: the survey is past its window but still holds the number's hash
    const before = '+358403333341';
    await f.invitation({ phone: before, expiresAt: new Date(Date.now() - 1000) });
    expect((await f.sms(before, 'SV')).replies).toEqual([renderText('sv', 'closed')]);
    expect(await chosen(before)).toBe('sv');
    // after it: only the closed survey's hash is left
    const after = '+358403333342';
    await f.invitation({ phone: after, expiresAt: new Date(Date.now() - 1000) });
    await createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }) }).runOnce();
    expect((await f.sms(after, 'in English please')).replies).toEqual([renderText('en', 'closed')]);
    expect((await f.sms(after, 'på svenska')).replies).toEqual([]); // one notice, the choice still kept
    expect(await chosen(after)).toBe('sv');
    // and so does what follows: a STOP is confirmed in it (and START after it)
    expect((await f.sms(after, 'STOP')).replies).toEqual([renderText('sv', 'optedOut')]);
    expect((await f.sms(after, 'START')).replies).toEqual([renderText('sv', 'optedIn')]);
    // a number Kaiku never texted: nothing said, nothing kept
    expect((await f.sms('+358403333343', 'EN')).replies).toEqual([]);
    expect(await chosen('+358403333343')).toBeUndefined();
  });

  it('a patient who answered gets no "your answer was not saved" after the window, before the job runs either', async () => {
    const phone = '+358403333336';
    const id = await f.invitation({ phone, expiresAt: new Date(Date.now() + DAY) });
    expect((await f.sms(phone, 'ysi, nopea palvelu')).replies).toEqual([renderText('fi', 'thanks')]);
    await f.pool.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    expect((await f.sms(phone, 'Kiitos vielä!')).replies).toEqual([]);
    expect((await f.sms(phone, 'Ja parkkipaikka oli täynnä')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 9, comment: 'nopea palvelu' });
    await createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }) }).runOnce();
    expect((await f.sms(phone, 'Kiitos vielä!')).replies).toEqual([]);
  });

  it('a survey answered with a score and no reason is completed when its window closes, no longer open', async () => {
    const phone = '+358403333335';
    const id = await f.invitation({ phone, expiresAt: new Date(Date.now() + DAY) });
    await f.sms(phone, '8');
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'answered', score: 8 });
    await f.pool.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    const run = await createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }) }).runOnce();
    expect(run).toMatchObject({ expired: 0, erased: 1 });
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 8, comment: null, has_phone: false });
  });

  it('forgets closed-survey hashes after their retention', async () => {
    const phone = '+358403333334';
    await f.invitation({ phone, expiresAt: new Date(Date.now() - 1000) });
    const job = createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), closedNoticeDays: 30 });
    await job.runOnce();
    const later = createExpiryJob({
      pool: f.pool,
      logger: pino({ level: 'silent' }),
      closedNoticeDays: 30,
      now: () => new Date(Date.now() + 31 * DAY),
    });
    expect((await later.runOnce()).forgotten).toBeGreaterThan(0);
    expect((await f.sms(phone, '9')).replies).toEqual([]);
  });

  it('forgets a language chosen by SMS a year after it was chosen', async () => {
    const phone = '+358403333336';
    await f.invitation({ phone });
    await f.sms(phone, 'SV');
    const hash = phoneHashOf(keys, phone);
    const remembered = () => f.pool.query('SELECT 1 FROM language_preferences WHERE phone_hash = $1', [hash]);
    const at = (days: number) =>
      createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), now: () => new Date(Date.now() + days * DAY) });
    await at(364).runOnce();
    expect((await remembered()).rowCount).toBe(1);
    expect((await at(366).runOnce()).preferencesForgotten).toBeGreaterThan(0);
    expect((await remembered()).rowCount).toBe(0);
  });

  it('forgets inbound MessageSids a month after they came (a soak probe: kept for good)', async () => {
    const phone = '+358403333337';
    await f.invitation({ phone });
    const { sid } = await f.sms(phone, '9');
    const kept = async () => (await f.pool.query('SELECT 1 FROM inbound_messages WHERE message_sid = $1', [sid])).rowCount;
    const at = (days: number) =>
      createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), now: () => new Date(Date.now() + days * DAY) });
    await at(29).runOnce();
    expect(await kept()).toBe(1);
    expect((await at(31).runOnce()).inboundForgotten).toBeGreaterThan(0);
    expect(await kept()).toBe(0);
  });

  it("erases a visit's patient pseudonym once the resurvey rules no longer look back to it (a soak probe: kept for good)", async () => {
    const old = await f.invitation({ phone: '+358403333338', endedAt: new Date(Date.now() - 40 * DAY) });
    const waiting = await f.invitation({ phone: '+358403333339', endedAt: new Date(Date.now() - 40 * DAY), status: 'scheduled' });
    const recent = await f.invitation({ phone: '+358403333330', endedAt: new Date(Date.now() - 10 * DAY) });
    // 33 days back: a visit-ended event that ended 71 h ago (still taken) looks back 30 days from its
    // own day, to this one (a regression probe: it was erased, and the patient texted again).
    const lookedBackTo = await f.invitation({ phone: '+358403333331', endedAt: new Date(Date.now() - 33 * DAY) });
    const pseudonymOf = async (id: string) =>
      (
        await f.pool.query<{ p: string | null }>(
          'SELECT v.patient_pseudonym AS p FROM visits v JOIN invitations i ON i.visit_id = v.id WHERE i.id = $1',
          [id],
        )
      ).rows[0]?.p;
    await f.pool.query(
      `UPDATE visits SET patient_pseudonym = 'pseudonym-' || id WHERE id IN (SELECT visit_id FROM invitations WHERE id = ANY($1::uuid[]))`,
      [[old, waiting, recent, lookedBackTo]],
    );
    const rules = { resurveyAfterDays: 30, maxVisitAgeHours: 72 };
    const run = await createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), pseudonymRules: rules }).runOnce();
    expect(run.pseudonymsErased).toBeGreaterThan(0);
    expect(await pseudonymOf(old)).toBeNull();
    expect(await pseudonymOf(waiting)).not.toBeNull();
    expect(await pseudonymOf(recent)).not.toBeNull();
    expect(await pseudonymOf(lookedBackTo)).not.toBeNull();
  });

  it('erases by the visit day in the county’s time zone, to the minute around its midnight', async () => {
    // With these rules a visit's pseudonym goes once its day is 35 days back (30 + 3 + 2).
    const helsinki = createPool(f.env.databaseUrl, { max: 1, timeZone: 'Europe/Helsinki' });
    try {
      const { rows } = await helsinki.query<{ before: Date; after: Date }>(
        `SELECT (((now())::date - 35)::timestamp - interval '1 minute')::timestamptz AS before,
                (((now())::date - 35)::timestamp + interval '1 minute')::timestamptz AS after`,
      );
      const { before, after } = rows[0] as { before: Date; after: Date };
      const lastMinute = await f.invitation({ phone: '+358403333341', endedAt: before });
      const firstMinute = await f.invitation({ phone: '+358403333342', endedAt: after });
      await f.pool.query(
        `UPDATE visits SET patient_pseudonym = 'pseudonym-' || id WHERE id IN (SELECT visit_id FROM invitations WHERE id = ANY($1::uuid[]))`,
        [[lastMinute, firstMinute]],
      );
      const rules = { resurveyAfterDays: 30, maxVisitAgeHours: 72 };
      await createExpiryJob({ pool: helsinki, logger: pino({ level: 'silent' }), pseudonymRules: rules }).runOnce();
      const { rows: kept } = await f.pool.query<{ id: string; p: string | null }>(
        'SELECT i.id, v.patient_pseudonym AS p FROM visits v JOIN invitations i ON i.visit_id = v.id WHERE i.id = ANY($1::uuid[])',
        [[lastMinute, firstMinute]],
      );
      expect(kept.find((r) => r.id === lastMinute)?.p).toBeNull();
      expect(kept.find((r) => r.id === firstMinute)?.p).not.toBeNull();
    } finally {
      await helsinki.end();
    }
  });

  it('start() runs it on its own schedule and stop() waits for the run', async () => {
    const phone = '+358403333335';
    const id = await f.invitation({ phone, expiresAt: new Date(Date.now() - 1000) });
    const job = createExpiryJob({ pool: f.pool, logger: pino({ level: 'silent' }), intervalMs: 10 });
    job.start();
    for (let i = 0; i < 200 && (await stateOf(f.pool, id))?.status !== 'expired'; i++) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'expired', has_phone: false });
  });
});
