import { phoneHashOf, renderText } from '@kaiku/core';
import { applyDeliveryStatuses } from '@kaiku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture, kaiku, keys, rollup, SENSITIVE_UNIT, stateOf } from './conversation-fixture.ts';

const names = kaiku.units[0]?.name;
const text = (language: 'fi' | 'sv' | 'en', key: Parameters<typeof renderText>[1]) =>
  renderText(language, key, { unitNames: names, sensitive: false });

let phoneNo = 1000;
const newPhone = () => `+35840${String(++phoneNo).padStart(7, '0')}`;

describe('the SMS conversation (docs/conversation.md)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('Finnish: score → why? → reason → thanks; the response and the rollup are stored', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const before = await rollup(f.pool);
    const first = await f.sms(phone, 'ysi');
    expect(first.status).toBe(200);
    expect(first.replies).toEqual([text('fi', 'askReason')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'answered', step: 'awaiting-reason', score: 9, comment: null });
    const second = await f.sms(phone, 'Lääkäri kuunteli, soita 040 123 4567');
    expect(second.replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({
      status: 'completed',
      step: 'completed',
      score: 9,
      comment: 'Lääkäri kuunteli, soita [phone]',
    });
    const after = await rollup(f.pool);
    expect((after?.promoters ?? 0) - (before?.promoters ?? 0)).toBe(1);
    expect((after?.comments ?? 0) - (before?.comments ?? 0)).toBe(1);
  });

  it("logs each reply with its invitation and Twilio's sid, never its text (a support desk finds a patient's reply by them)", async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const { sid } = await f.sms(phone, '9 kiva hoitaja Virtanen');
    const stopped = await f.sms(phone, 'STOP');
    const stranger = await f.sms(newPhone(), 'STOP');
    const lines = f.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'inbound sms');
    const lineOf = (messageSid: string) => lines.find((l) => l.messageSid === messageSid);
    expect(lineOf(sid)).toMatchObject({ outcome: 'score-with-reason', invitationId: id });
    expect(lineOf(stopped.sid)).toMatchObject({ outcome: 'opt-out', invitationId: id });
    // a number with no survey: no invitation to name
    expect(lineOf(stranger.sid)).toMatchObject({ outcome: 'opt-out' });
    expect(lineOf(stranger.sid)).not.toHaveProperty('invitationId');
    expect(f.logLines.join('\n')).not.toContain('Virtanen');
  });

  it('a score with a reason in one message completes at once', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'sv' });
    const res = await f.sms(phone, '6 lång väntetid');
    expect(res.replies).toEqual([text('sv', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 6, comment: 'lång väntetid' });
  });

  it('a bare score with filler ("9 kiitos", "nine!") still asks why', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'en' });
    expect((await f.sms(phone, 'nine!')).replies).toEqual([text('en', 'askReason')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 9, comment: null });
  });

  it('a non-score gets one re-ask and then silence; what was said is kept and joins the comment', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    expect((await f.sms(phone, 'Jonotin 2 tuntia')).replies).toEqual([text('fi', 'reask')]);
    expect((await f.sms(phone, '4/5')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({
      step: 'awaiting-score',
      reasked: true,
      score: null,
      pending_comment: 'Jonotin 2 tuntia 4/5',
    });
    expect((await f.sms(phone, '5')).replies).toEqual([text('fi', 'askReason')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 5, comment: 'Jonotin 2 tuntia 4/5', pending_comment: null });
  });

  it('"Kiitos" to why? ends the survey with no comment, and "Kiitos!" to the thanks is not appended', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const before = await rollup(f.pool);
    expect((await f.sms(phone, '9')).replies).toEqual([text('fi', 'askReason')]);
    expect((await f.sms(phone, 'Kiitos')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, 'Kiitos! 👍')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 9, comment: null });
    expect(((await rollup(f.pool))?.comments ?? 0) - (before?.comments ?? 0)).toBe(0);
  });

  it('a message after completion is appended to the reason without a reply, up to the cap', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    await f.sms(phone, '10 hyvä');
    expect((await f.sms(phone, 'ja nopea')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 10, comment: 'hyvä ja nopea' });
    await f.sms(phone, 'x'.repeat(1600));
    expect((await stateOf(f.pool, id))?.comment).toHaveLength(1000);
  });

  it('a language switch re-sends the current question in that language and is remembered', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    expect((await f.sms(phone, 'på svenska tack')).replies).toEqual([text('sv', 'invitation')]);
    expect((await f.sms(phone, '8')).replies).toEqual([text('sv', 'askReason')]);
    expect((await f.sms(phone, 'In English please')).replies).toEqual([text('en', 'askReason')]);
    expect((await f.sms(phone, 'Friendly staff')).replies).toEqual([text('en', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ language: 'en', response_language: 'sv', score: 8, comment: 'Friendly staff' });
    const { rows } = await f.pool.query('SELECT language FROM language_preferences');
    expect(rows.map((r) => r.language)).toContain('en');
  });

  it('a sensitive unit is never named, even when the invitation is re-sent', async () => {
    const phone = newPhone();
    await f.invitation({ phone, unit: SENSITIVE_UNIT });
    const res = await f.sms(phone, 'EN');
    expect(res.replies).toEqual([renderText('en', 'invitationGeneric')]);
    expect(res.twiml).not.toContain('Päihde');
  });

  it('a parent with two children surveyed: the latest visit wins', async () => {
    const phone = newPhone();
    const older = await f.invitation({ phone, endedAt: new Date(Date.now() - 3 * 86_400_000) });
    const newer = await f.invitation({ phone, endedAt: new Date(Date.now() - 86_400_000) });
    await f.sms(phone, '7');
    expect(await stateOf(f.pool, newer)).toMatchObject({ score: 7 });
    expect(await stateOf(f.pool, older)).toMatchObject({ score: null, step: 'awaiting-score' });
  });

  it('Twilio retries (same MessageSid) change nothing and get no second reply', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const before = await rollup(f.pool);
    const first = await f.sms(phone, '3');
    const retry = await f.sms(phone, '3', { MessageSid: first.sid });
    expect(retry.status).toBe(200);
    expect(retry.replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 3 });
    expect(((await rollup(f.pool))?.detractors ?? 0) - (before?.detractors ?? 0)).toBe(1);
  });

  it('a number with no invitation gets empty TwiML and nothing is stored', async () => {
    const res = await f.sms(newPhone(), '9');
    expect(res.status).toBe(200);
    expect(res.replies).toEqual([]);
    const { rows } = await f.pool.query('SELECT 1 FROM inbound_messages WHERE message_sid = $1', [res.sid]);
    expect(rows).toHaveLength(0);
  });

  it('the language already in use asked for again and again: the question once more, then silence', async () => {
    const phone = newPhone();
    await f.invitation({ phone, language: 'sv' });
    expect((await f.sms(phone, 'SV')).replies).toEqual([text('sv', 'invitation')]);
    expect((await f.sms(phone, 'SV')).replies).toEqual([]);
    expect((await f.sms(phone, 'svenska')).replies).toEqual([]);
    expect((await f.sms(phone, 'EN')).replies).toEqual([text('en', 'invitation')]);
    expect((await f.sms(phone, '9 helpful')).replies).toEqual([text('en', 'thanks')]);
  });

  it('opt-out: confirmation in the patient language, open surveys closed, phone data erased; only START opts back in', async () => {
    const phone = newPhone();
    const answered = await f.invitation({ phone, language: 'sv' });
    await f.sms(phone, '9');
    const open = await f.invitation({ phone, language: 'fi', endedAt: new Date(Date.now() - 3600_000) });
    await f.sms(phone, 'på svenska tack'); // a language chosen by SMS: kept through the opt-out, for after START
    expect((await f.sms(phone, 'STOPP')).replies).toEqual([text('sv', 'optedOut')]);
    const chosen = () => f.pool.query('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect((await chosen()).rows).toEqual([{ language: 'sv' }]);
    expect(await stateOf(f.pool, open)).toMatchObject({ status: 'expired', has_phone: false, has_phone_hash: false });
    expect(await stateOf(f.pool, answered)).toMatchObject({ status: 'completed', score: 9, has_phone: false });
    expect((await f.sms(phone, '10')).replies).toEqual([]);
    expect((await f.sms(phone, 'Hej')).replies).toEqual([]);
    const { rowCount } = await f.pool.query('SELECT 1 FROM opt_outs');
    expect(rowCount).toBeGreaterThan(0);
    expect((await f.sms(phone, 'BÖRJA')).replies).toEqual([text('sv', 'optedIn')]);
    expect((await chosen()).rows).toEqual([{ language: 'sv' }]);
  });

  it('a score with a request to stop ("8 ja lopettakaa viestit") keeps the score without the request, and opts the number out', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, '8 hyvä palvelu, mutta lopettakaa viestit')).replies).toEqual([text('fi', 'optedOut')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'hyvä palvelu', has_phone: false });
    const { rows } = await f.pool.query('SELECT language FROM opt_outs WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rows).toEqual([{ language: 'fi' }]);
    // the request first, in English; and again once no survey is open: the request alone counts
    const other = newPhone();
    const second = await f.invitation({ phone: other, language: 'en' });
    expect((await f.sms(other, 'Stop sending me these. 9')).replies).toEqual([text('en', 'optedOut')]);
    expect(await stateOf(f.pool, second)).toMatchObject({ score: 9, comment: null });
    expect((await f.sms(other, 'STOP 7')).replies).toEqual([text('en', 'optedOut')]);
    // a request beside other words, with no score: opted out, not re-asked
    const fourth = newPhone();
    await f.invitation({ phone: fourth, language: 'fi' });
    expect((await f.sms(fourth, 'Lopettakaa viestit, en ole käynyt siellä')).replies).toEqual([text('fi', 'optedOut')]);
    // "The nurse said stop" is no request
    const third = newPhone();
    const kept = await f.invitation({ phone: third, language: 'en' });
    expect((await f.sms(third, 'The nurse said stop, 9')).replies).toEqual([text('en', 'thanks')]);
    expect(await stateOf(f.pool, kept)).toMatchObject({ score: 9 });
  });

  it('keeps what was said before the score once, not twice, and no puzzlement as feedback; a bare number after the thanks changes nothing', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, 'odotin 2 tuntia')).replies).toEqual([text('fi', 'reask')]);
    expect((await f.sms(phone, 'kahdeksan, mutta odotin 2 tuntia')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'mutta odotin 2 tuntia' });
    expect((await f.sms(phone, '0')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8 });
    const other = newPhone();
    const second = await f.invitation({ phone: other, language: 'fi' });
    expect((await f.sms(other, 'mikä tämä on?')).replies).toEqual([text('fi', 'reask')]);
    expect((await f.sms(other, '10')).replies).toEqual([text('fi', 'askReason')]);
    expect((await f.sms(other, 'hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, second)).toMatchObject({ score: 10, comment: 'hyvä' });
  });

  it('a reason sent with a request to stop ("nice nurse. STOP") is kept with the score, and the number opted out', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'en' });
    expect((await f.sms(phone, '8')).replies).toEqual([text('en', 'askReason')]);
    expect((await f.sms(phone, 'nice nurse. STOP')).replies).toEqual([text('en', 'optedOut')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'nice nurse', has_phone: false });
    const { rowCount } = await f.pool.query('SELECT 1 FROM opt_outs WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rowCount).toBe(1);
    // phrased as people do: the score kept, the request honoured
    const other = newPhone();
    const second = await f.invitation({ phone: other, language: 'en' });
    expect((await f.sms(other, 'pls stop texting me after this one, 9')).replies).toEqual([text('en', 'optedOut')]);
    expect(await stateOf(f.pool, second)).toMatchObject({ score: 9, comment: null });
    // a language asked for beside the request is not taken: the confirmation is in the survey's, and nothing is kept of it
    const third = newPhone();
    await f.invitation({ phone: third, language: 'fi' });
    expect((await f.sms(third, '9')).replies).toEqual([text('fi', 'askReason')]);
    expect((await f.sms(third, 'STOP. In English please')).replies).toEqual([text('fi', 'optedOut')]);
    const { rowCount: kept } = await f.pool.query('SELECT 1 FROM language_preferences WHERE phone_hash = $1', [phoneHashOf(keys, third)]);
    expect(kept).toBe(0);
  });

  it('a score with a request for another language ("8 på svenska tack") is stored, asked why in Swedish, and remembered', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, '8 på svenska tack')).replies).toEqual([text('sv', 'askReason')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: null, step: 'awaiting-reason' });
    expect((await f.sms(phone, 'Trevlig personal')).replies).toEqual([text('sv', 'thanks')]);
    const { rows } = await f.pool.query('SELECT language FROM language_preferences WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rows).toEqual([{ language: 'sv' }]);
  });

  it("a STOP sent again is confirmed in the first one's language, and so is ALOITA after it (not in English, STOP's own)", async () => {
    const phone = newPhone();
    await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, 'STOP')).replies).toEqual([text('fi', 'optedOut')]);
    expect((await f.sms(phone, 'STOP')).replies).toEqual([text('fi', 'optedOut')]);
    const { rows } = await f.pool.query('SELECT language FROM opt_outs WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rows).toEqual([{ language: 'fi' }]);
    expect((await f.sms(phone, 'ALOITA')).replies).toEqual([text('fi', 'optedIn')]);
    // And again after the opt-in (a races probe: the second STOP and START came in English).
    expect((await f.sms(phone, 'STOP')).replies).toEqual([text('fi', 'optedOut')]);
    expect((await f.sms(phone, 'START')).replies).toEqual([text('fi', 'optedIn')]);
    expect((await f.sms(phone, 'hei')).replies).toEqual([]);
  });

  it('handles one number’s messages in the order they came: a STOP right after a score keeps the score (a races probe)', async () => {
    // Other patients' answers fill the group writes, so that the score waits while the STOP would not.
    const others = Array.from({ length: 40 }, newPhone);
    await Promise.all(others.map((p) => f.invitation({ phone: p })));
    const phones = Array.from({ length: 10 }, newPhone);
    const ids = await Promise.all(phones.map((p) => f.invitation({ phone: p, language: 'fi' })));
    const busy = others.map((p) => f.sms(p, '10 kaikki hyvin'));
    const said = phones.map((p) => [f.sms(p, '9 hyvä palvelu'), f.sms(p, 'STOP')] as const);
    await Promise.all(busy);
    for (const [k, [score, stop]] of said.entries()) {
      expect((await score).replies, phones[k]).toEqual([text('fi', 'thanks')]);
      expect((await stop).replies).toEqual([text('fi', 'optedOut')]);
    }
    const { rows } = await f.pool.query('SELECT score, comment FROM responses WHERE invitation_id = ANY($1::uuid[])', [ids]);
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row).toEqual({ score: 9, comment: 'hyvä palvelu' });
  });

  it('confirms an opt-out and an opt-in in the patient’s language without a survey open, and keeps no language preference', async () => {
    const phone = newPhone();
    const scheduled = await f.invitation({ phone, language: 'sv', status: 'scheduled' });
    expect((await f.sms(phone, 'STOPP')).replies).toEqual([text('sv', 'optedOut')]);
    // Skipped as opted-out, as ingest skips one for such a number (a race probe: 'cancelled', which
    // is a visit's cancellation, with no reason).
    expect(await stateOf(f.pool, scheduled)).toMatchObject({ status: 'skipped', has_phone: false });
    const reason = await f.pool.query('SELECT skip_reason FROM invitations WHERE id = $1', [scheduled]);
    expect(reason.rows[0]?.skip_reason).toBe('opted-out');
    expect((await f.sms(phone, 'START')).replies).toEqual([text('sv', 'optedIn')]);
    // Opting out chose no language: the next visit's text follows the record system.
    const { rowCount } = await f.pool.query('SELECT 1 FROM language_preferences WHERE phone_hash = $1', [phoneHashOf(keys, phone)]);
    expect(rowCount).toBe(0);
    // A number Kaiku never texted: the language of the word itself.
    for (const [word, language] of [
      ['SLUTA', 'sv'],
      ['LOPETA', 'fi'],
      ['STOP', 'en'],
      ['Jag vill inte ha fler sms', 'sv'],
    ] as const) {
      expect((await f.sms(newPhone(), word)).replies).toEqual([text(language, 'optedOut')]);
    }
  });

  it('takes a reply on a phone with two open surveys as the answer to the text sent last', async () => {
    const phone = newPhone();
    const earlierText = await f.invitation({ phone, endedAt: new Date(Date.now() - 30 * 60_000) });
    const laterText = await f.invitation({ phone, endedAt: new Date(Date.now() - 120 * 60_000) });
    await f.sms(phone, '3');
    expect(await stateOf(f.pool, laterText)).toMatchObject({ status: 'answered', score: 3 });
    expect(await stateOf(f.pool, earlierText)).toMatchObject({ status: 'delivered', score: null });
  });

  it('a reply to a send that ended unknown settles it: sent and delivered once, its encrypted phone erased', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, status: 'unknown', messageSid: null });
    const before = await rollup(f.pool);
    expect((await f.sms(phone, '9 hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 9, has_phone: false, has_phone_hash: true });
    const after = await rollup(f.pool);
    expect([(after?.sent ?? 0) - (before?.sent ?? 0), (after?.delivered ?? 0) - (before?.delivered ?? 0)]).toEqual([1, 1]);
    // Twilio's late callbacks for it count nothing again.
    const late = (status: string) => ({ invitationId: id, messageSid: 'SMlate', messageStatus: status, errorCode: null });
    await applyDeliveryStatuses(f.pool, [late('sent'), late('delivered')], 7);
    const last = await rollup(f.pool);
    expect([last?.sent, last?.delivered]).toEqual([after?.sent, after?.delivered]);
  });

  it('"8 bra service. På svenska tack": the score, the reason, thanks in Swedish, and the answer stored as Swedish', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, '8 bra service. På svenska tack')).replies).toEqual([text('sv', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'bra service.', language: 'sv', response_language: 'sv' });
  });

  it('a corrected score replaces the first one, and the answer moves to its band in both rollups (a probe: "2", then "Sorry, I meant 10", counted a detractor)', async () => {
    const monthly = async () =>
      (await f.pool.query<{ p: number; d: number }>('SELECT sum(promoters)::int AS p, sum(detractors)::int AS d FROM nps_monthly')).rows[0];
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'en' });
    const before = await rollup(f.pool);
    const monthBefore = await monthly();
    expect((await f.sms(phone, '2')).replies).toEqual([text('en', 'askReason')]);
    expect((await f.sms(phone, 'Sorry, I meant 10')).replies).toEqual([text('en', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 10, comment: null });
    const after = await rollup(f.pool);
    expect((after?.promoters ?? 0) - (before?.promoters ?? 0)).toBe(1);
    expect((after?.detractors ?? 0) - (before?.detractors ?? 0)).toBe(0);
    expect((after?.comments ?? 0) - (before?.comments ?? 0)).toBe(0);
    const monthAfter = await monthly();
    expect([(monthAfter?.p ?? 0) - (monthBefore?.p ?? 0), (monthAfter?.d ?? 0) - (monthBefore?.d ?? 0)]).toEqual([1, 0]);
  });

  it('after the thanks, a correction changes the score and keeps the reason; the same score again changes nothing', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    const before = await rollup(f.pool);
    expect((await f.sms(phone, '3')).replies).toEqual([text('fi', 'askReason')]);
    expect((await f.sms(phone, 'Lääkäri kuunteli')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, 'oho, väärä numero. 9')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 9, comment: 'Lääkäri kuunteli' });
    expect((await f.sms(phone, '9')).replies).toEqual([]);
    expect((await f.sms(phone, 'Ei kun 8, ja parkkipaikka oli täynnä')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'Lääkäri kuunteli ja parkkipaikka oli täynnä' });
    const after = await rollup(f.pool);
    const delta = (k: 'promoters' | 'passives' | 'detractors' | 'comments') => (after?.[k] ?? 0) - (before?.[k] ?? 0);
    // one passive answer with a comment: the 3 and the 9 it passed through are not counted
    expect([delta('promoters'), delta('passives'), delta('detractors'), delta('comments')]).toEqual([0, 1, 0, 1]);
  });

  it('a phone number or a hetu split across two messages is stored masked (a probe found both in the clear)', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    await f.sms(phone, '8');
    await f.sms(phone, 'soittakaa 040');
    await f.sms(phone, '123 4567');
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'soittakaa [phone]' });
    const other = newPhone();
    const before = await f.invitation({ phone: other });
    await f.sms(other, 'hetuni 010181-'); // before the score: kept as the pending comment
    await f.sms(other, '900C');
    expect(await stateOf(f.pool, before)).toMatchObject({ score: null, pending_comment: 'hetuni [hetu]' });
  });

  it('the whole answer sent again after the thanks adds nothing to the comment; new words are added', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    expect((await f.sms(phone, '8 Lääkäri oli hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, '8 Lääkäri oli hyvä')).replies).toEqual([]);
    expect((await f.sms(phone, 'Lääkäri oli hyvä')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'Lääkäri oli hyvä' });
    await f.sms(phone, 'Parkkipaikka oli täynnä');
    expect(await stateOf(f.pool, id)).toMatchObject({ comment: 'Lääkäri oli hyvä Parkkipaikka oli täynnä' });
  });

  it('words after the thanks are kept as written, a number in them too ("Ja lääkäri oli 10/10" is no cut-off reason)', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone });
    await f.sms(phone, '8');
    await f.sms(phone, 'hyvä');
    await f.sms(phone, 'Ja lääkäri oli 10/10');
    await f.sms(phone, '10 hoitajalle');
    expect(await stateOf(f.pool, id)).toMatchObject({ score: 8, comment: 'hyvä Ja lääkäri oli 10/10 10 hoitajalle' });
  });

  it('a text reported undelivered does not take the answer to one that arrived', async () => {
    const phone = newPhone();
    const arrived = await f.invitation({ phone, language: 'fi' });
    const lost = await f.invitation({ phone, language: 'sv', status: 'undelivered' });
    expect((await f.sms(phone, '3 huono palvelu')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, arrived)).toMatchObject({ status: 'completed', score: 3, comment: 'huono palvelu' });
    expect(await stateOf(f.pool, lost)).toMatchObject({ status: 'undelivered', score: null });
  });

  it('a reply to a text reported undelivered proves it arrived: delivered once, so answers never outnumber deliveries', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, status: 'undelivered' });
    const before = await rollup(f.pool);
    expect((await f.sms(phone, '4 huono')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'completed', score: 4 });
    const after = await rollup(f.pool);
    expect((after?.delivered ?? 0) - (before?.delivered ?? 0)).toBe(1);
    expect((after?.detractors ?? 0) - (before?.detractors ?? 0)).toBe(1);
    // More words, the carrier's late "delivered", and a reply to a text already delivered count no delivery again.
    await f.sms(phone, 'Lisäksi jonotin');
    const { rows } = await f.pool.query<{ message_sid: string }>('SELECT message_sid FROM invitations WHERE id = $1', [id]);
    const late = { invitationId: id, messageSid: rows[0]?.message_sid as string, messageStatus: 'delivered', errorCode: null };
    expect(await applyDeliveryStatuses(f.pool, [late], 7)).toEqual(['ignored']);
    const other = newPhone();
    await f.invitation({ phone: other });
    await f.sms(other, '10 hyvä');
    expect((await rollup(f.pool))?.delivered).toBe(after?.delivered);
  });

  it('after the delivered survey is finished, thanks and more words stay with it, not with one whose text never arrived', async () => {
    const phone = newPhone();
    const lost = await f.invitation({ phone, language: 'sv', status: 'undelivered' });
    const arrived = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, '9 hyvä palvelu')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, 'Kiitos!')).replies).toEqual([]);
    expect((await f.sms(phone, 'Lisäksi parkkipaikka oli täynnä')).replies).toEqual([]);
    expect(await stateOf(f.pool, arrived)).toMatchObject({
      status: 'completed',
      score: 9,
      comment: 'hyvä palvelu Lisäksi parkkipaikka oli täynnä',
    });
    expect(await stateOf(f.pool, lost)).toMatchObject({ status: 'undelivered', score: null, reasked: false, pending_comment: null });
  });

  it('with two surveys waiting, a score goes to one waiting for its score and the reason to the one that asked why', async () => {
    const phone = newPhone();
    const earlier = await f.invitation({ phone, endedAt: new Date(Date.now() - 2 * 86_400_000) });
    const later = await f.invitation({ phone });
    expect((await f.sms(phone, '8')).replies).toEqual([text('fi', 'askReason')]); // the later text
    expect((await f.sms(phone, 'hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, '7')).replies).toEqual([text('fi', 'askReason')]); // the earlier one now
    expect((await f.sms(phone, 'ok')).replies).toEqual([text('fi', 'thanks')]);
    expect(await stateOf(f.pool, later)).toMatchObject({ status: 'completed', score: 8, comment: 'hyvä' });
    expect(await stateOf(f.pool, earlier)).toMatchObject({ status: 'completed', score: 7, comment: null });
  });

  it('filler alone goes to the survey whose text the patient just got: a "Kiitos!" does not close the other one waiting for its reason', async () => {
    const phone = newPhone();
    const sv = await f.invitation({ phone, language: 'sv', endedAt: new Date(Date.now() - 2 * 86_400_000) });
    const fi = await f.invitation({ phone, language: 'fi' });
    expect((await f.sms(phone, '8')).replies).toEqual([text('fi', 'askReason')]);
    expect((await f.sms(phone, '7')).replies).toEqual([text('sv', 'askReason')]);
    expect((await f.sms(phone, 'hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, 'Kiitos!')).replies).toEqual([]);
    expect((await f.sms(phone, 'trevlig personal men lång kö')).replies).toEqual([text('sv', 'thanks')]);
    expect(await stateOf(f.pool, fi)).toMatchObject({ status: 'completed', score: 8, comment: 'hyvä' });
    expect(await stateOf(f.pool, sv)).toMatchObject({ status: 'completed', score: 7, comment: 'trevlig personal men lång kö' });
  });

  it('once the later survey is finished, a score answers the earlier one still waiting', async () => {
    const phone = newPhone();
    const earlier = await f.invitation({ phone, endedAt: new Date(Date.now() - 2 * 86_400_000) });
    const later = await f.invitation({ phone });
    expect((await f.sms(phone, '9 hyvä')).replies).toEqual([text('fi', 'thanks')]);
    expect((await f.sms(phone, '8')).replies).toEqual([text('fi', 'askReason')]);
    expect(await stateOf(f.pool, later)).toMatchObject({ status: 'completed', score: 9, comment: 'hyvä' });
    expect(await stateOf(f.pool, earlier)).toMatchObject({ status: 'answered', score: 8 });
  });

  it("Twilio's own opt-out (OptOutType=STOP) is stored too", async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, language: 'en' });
    const res = await f.sms(phone, 'UNSUBSCRIBE', { OptOutType: 'STOP' });
    expect(res.replies).toEqual([text('en', 'optedOut')]);
    expect(await stateOf(f.pool, id)).toMatchObject({ status: 'expired', has_phone: false });
    const { rows } = await f.pool.query<{ method: string }>('SELECT method FROM opt_outs ORDER BY opted_out_at DESC LIMIT 1');
    expect(rows[0]?.method).toBe('twilio-opt-out');
  });

  it('a reply after the answer window gets one "closed" text and nothing is stored', async () => {
    const phone = newPhone();
    const id = await f.invitation({ phone, expiresAt: new Date(Date.now() - 60_000) });
    expect((await f.sms(phone, '9')).replies).toEqual([text('fi', 'closed')]);
    expect((await f.sms(phone, '9 hyvä')).replies).toEqual([]);
    expect(await stateOf(f.pool, id)).toMatchObject({ score: null, comment: null, step: 'awaiting-score' });
  });
});
