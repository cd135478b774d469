import { applyDeliveryStatuses } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConversation, type ConversationWrite } from '../src/conversation.repository.ts';
import { createFixture, type Fixture, nextSid, stateOf } from './conversation-fixture.ts';

let phoneNo = 5000;
const newPhone = () => `+35840${String(++phoneNo).padStart(7, '0')}`;

/** Rollup totals from nps_daily and from nps_monthly, next to what responses hold. */
async function totals(f: Fixture) {
  const { rows } = await f.pool.query(
    `SELECT (SELECT count(*) FROM responses)::int AS responses,
            (SELECT count(*) FROM responses WHERE comment IS NOT NULL AND comment <> '')::int AS commented,
            (SELECT coalesce(sum(promoters + passives + detractors), 0) FROM nps_daily)::int AS daily,
            (SELECT coalesce(sum(comments), 0) FROM nps_daily)::int AS daily_comments,
            (SELECT coalesce(sum(promoters + passives + detractors), 0) FROM nps_monthly)::int AS monthly,
            (SELECT coalesce(sum(comments), 0) FROM nps_monthly)::int AS monthly_comments`,
  );
  return rows[0] as {
    responses: number;
    commented: number;
    daily: number;
    daily_comments: number;
    monthly: number;
    monthly_comments: number;
  };
}

/** A write for this invitation as the service would start it: a new message, nothing changed yet. */
async function writeTo(id: string): Promise<ConversationWrite> {
  const { rows } = await f.pool.query<{ phone_hash: string }>('SELECT phone_hash FROM invitations WHERE id = $1', [id]);
  return {
    sid: nextSid(),
    inv: id,
    hash: rows[0]?.phone_hash as string,
    at: new Date(),
    step: 'awaiting-score',
    reasked: false,
    language: 'fi',
    pending: null,
    touch: false,
    cap: 1000,
  };
}

let f: Fixture;

describe('conversation steps stored concurrently (read, decide, write only if unchanged; group commit)', () => {
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('many patients answering at once: every answer stored once, the rollups equal the responses', async () => {
    const before = await totals(f);
    const phones = Array.from({ length: 60 }, newPhone);
    await Promise.all(phones.map((phone) => f.invitation({ phone })));
    const scores = await Promise.all(phones.map((phone, k) => f.sms(phone, k % 2 === 0 ? `${k % 11} hyvä palvelu` : `${k % 11}`)));
    expect(scores.every((s) => s.status === 200 && s.replies.length === 1)).toBe(true);
    const reasons = await Promise.all(phones.filter((_, k) => k % 2 === 1).map((phone) => f.sms(phone, 'Jonotin pitkään')));
    expect(reasons.every((s) => s.status === 200 && s.replies.length === 1)).toBe(true);
    const after = await totals(f);
    expect(after.responses - before.responses).toBe(60);
    expect(after.commented - before.commented).toBe(60);
    expect(after.daily - before.daily).toBe(60);
    expect(after.daily_comments - before.daily_comments).toBe(60);
    expect(after.monthly - before.monthly).toBe(after.daily - before.daily);
    expect(after.monthly_comments - before.monthly_comments).toBe(60);
  });

  it("one patient's two messages at once: both take effect, one after the other", async () => {
    for (let round = 0; round < 5; round++) {
      const phone = newPhone();
      const id = await f.invitation({ phone });
      const [a, b] = await Promise.all([f.sms(phone, '8'), f.sms(phone, 'Hyvä palvelu')]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const state = await stateOf(f.pool, id);
      // Either the words answered "why?" after the score, or they came first and joined the score.
      expect(state).toMatchObject({ score: 8, comment: 'Hyvä palvelu' });
      const { rows } = await f.pool.query('SELECT count(*)::int AS n FROM inbound_messages WHERE message_sid = ANY($1)', [[a.sid, b.sid]]);
      expect(rows[0]?.n).toBe(2);
    }
  });

  it('a write decided on a state that has moved is stale and leaves nothing behind', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const write: ConversationWrite = {
      ...(await writeTo(id)),
      step: 'awaiting-reason', // the invitation still awaits its score
      set_status: 'completed',
      set_step: 'completed',
      touch: true,
      append: 'words',
    };
    expect(await applyConversation(f.pool, [write])).toEqual(['stale']);
    const seen = await f.pool.query('SELECT 1 FROM inbound_messages WHERE message_sid = $1', [write.sid]);
    expect(seen.rowCount).toBe(0);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'delivered', step: 'awaiting-score', score: null });
    // Decided on the right state, the same message is stored; sent again, it is a duplicate.
    const right = { ...write, step: 'awaiting-score', score: 9, comment: null, promoters: 1, passives: 0, detractors: 0 };
    delete right.append;
    expect(await applyConversation(f.pool, [right, right])).toEqual(['applied', 'duplicate']);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', step: 'completed', score: 9 });
  });

  it('words joined on to a comment that changed since it was read are decided again, so a split number is masked as a whole (a probe: two messages at once stored it in the clear)', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    await f.sms(phone, '8 hyvä');
    await f.sms(phone, 'soittakaa 040'); // the comment is now "hyvä soittakaa 040"
    // "123 4567" read while the comment was still "hyvä": its join is stale.
    const write: ConversationWrite = {
      ...(await writeTo(id)),
      step: 'completed',
      append: '123 4567',
      append_joined: 'hyvä 123 4567',
      comment_was: 'hyvä',
    };
    expect(await applyConversation(f.pool, [write])).toEqual(['stale']);
    expect(await stateOf(f.pool, id)).toMatchObject({ comment: 'hyvä soittakaa 040' });
    // Decided again on the comment as it is, through the service:
    await f.sms(phone, '123 4567');
    expect(await stateOf(f.pool, id)).toMatchObject({ comment: 'hyvä soittakaa [phone]' });
  });

  it('status callbacks in one call: applied in order, monotonic, each send and delivery counted once', async () => {
    const { rows: v } = await f.pool.query<{ id: string }>(
      `INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
       VALUES ('lifecare', $1, '1.2.246.10.2085212.10.1314', 'health-station', '2024-02-03', '2024-02-03', 'fi', '30-39') RETURNING id`,
      [`CB-${phoneNo}`],
    );
    const { rows } = await f.pool.query<{ id: string }>(
      `INSERT INTO invitations (visit_id, status, language, attempt) VALUES ($1, 'unknown', 'fi', 1) RETURNING id`,
      [v[0]?.id],
    );
    const id = rows[0]?.id as string;
    const cb = (messageStatus: string, messageSid = 'SMbatch1') => ({ invitationId: id, messageSid, messageStatus, errorCode: null });
    const results = await applyDeliveryStatuses(
      f.pool,
      [
        cb('queued'),
        cb('sent'),
        cb('delivered'),
        cb('sent'),
        cb('delivered', 'SMother'),
        cb('no-such-status'),
        { ...cb('sent'), invitationId: '00000000-0000-4000-8000-000000000000' },
      ],
      7,
    );
    expect(results).toEqual(['applied', 'applied', 'applied', 'ignored', 'ignored', 'ignored', 'unknown-invitation']);
    const state = await f.pool.query(
      'SELECT status, delivery_status, message_sid, expires_at IS NOT NULL AS expires FROM invitations WHERE id = $1',
      [id],
    );
    expect(state.rows[0]).toEqual({ status: 'delivered', delivery_status: 'delivered', message_sid: 'SMbatch1', expires: true });
    const counted = await f.pool.query(
      `SELECT sum(sent)::int AS sent, sum(delivered)::int AS delivered FROM nps_daily WHERE day = '2024-02-03'
       UNION ALL SELECT sum(sent)::int, sum(delivered)::int FROM nps_monthly WHERE month = '2024-02-01'`,
    );
    expect(counted.rows).toEqual([
      { sent: 1, delivered: 1 },
      { sent: 1, delivered: 1 },
    ]);
  });
});
