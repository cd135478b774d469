import type { Pool } from '@kaiku/db';
import { HttpProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * What became of one survey, for a support desk answering a patient or a record system ("I
 * answered but got no thanks", "Twilio says this text failed", "did visit X get a text?"): found
 * by its invitation id (the logs, the queue board), a MessageSid (the survey text's or a reply's,
 * from Twilio's log) or the visit number the record system sent. Process data only: never the
 * phone, the score or the comment (a support probe could answer none of these without reading
 * the database by hand).
 */
const SELECT = `
  SELECT i.id, v.source, v.source_visit_id, v.unit_id, v.service, v.visit_day::text AS visit_day, v.ended_at,
         i.status, i.skip_reason, i.withdrawn_reason, i.language, i.step, i.send_at, i.sent_at, i.attempt,
         i.message_sid, i.delivery_status, i.error_code, i.expires_at, i.closed_notice_sent,
         (i.phone_enc IS NULL AND i.phone_hash IS NULL) AS phone_erased,
         EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.id) AS answered,
         (SELECT count(*)::int FROM inbound_messages m WHERE m.invitation_id = i.id) AS replies,
         (SELECT max(m.received_at) FROM inbound_messages m WHERE m.invitation_id = i.id) AS last_reply_at
    FROM invitations i JOIN visits v ON v.id = i.visit_id`;

type Row = Record<string, unknown> & { id: string };

const NOT_TEXTED = new Set(['skipped', 'cancelled', 'scheduled']);

/** A Pegasos id as ingest stores it: the OID system as `urn:oid:…`, also when given bare or in capitals. */
function storedVisitId(source: string, visitId: string): string {
  const m = /^(?:urn:oid:)?([0-2](?:\.\d+)+)\|(.+)$/i.exec(visitId);
  return source === 'pegasos' && m ? `urn:oid:${m[1]}|${m[2]}` : visitId;
}

/** Text a look-up may hold: no NUL or other control character (Postgres refuses a NUL: it was a 500; a regression probe). */
const lookupText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .refine((v) => !/[\x00-\x1f\x7f]/.test(v), 'holds a control character');

function view(r: Row) {
  return {
    invitationId: r.id,
    visit: { source: r.source, visitId: r.source_visit_id, unit: r.unit_id, service: r.service, day: r.visit_day, endedAt: r.ended_at },
    status: r.status,
    skipReason: r.skip_reason,
    withdrawnReason: r.withdrawn_reason,
    language: r.language,
    // (a survey never texted has no conversation: its default step would read as "waiting for a score")
    step: NOT_TEXTED.has(r.status as string) ? null : r.step,
    sendAt: r.send_at,
    sentAt: r.sent_at,
    attempts: r.attempt,
    messageSid: r.message_sid,
    deliveryStatus: r.delivery_status,
    errorCode: r.error_code,
    answerWindowEnds: r.expires_at,
    answered: r.answered,
    replies: r.replies,
    lastReplyAt: r.last_reply_at,
    closedNoticeSent: r.closed_notice_sent,
    phoneErased: r.phone_erased,
  };
}

const byQuery = z.union([
  z.strictObject({ messageSid: lookupText(64) }),
  z.strictObject({ source: lookupText(64), visitId: lookupText(200) }),
]);

export function registerInvitationLookup(app: FastifyInstance, deps: { pool: Pool }) {
  app.get<{ Params: { id: string } }>('/v1/ops/invitations/:id', async (request) => {
    if (!z.uuid().safeParse(request.params.id).success) throw new HttpProblem(400, 'Invalid invitation id', 'an invitation id is a UUID');
    const { rows } = await deps.pool.query<Row>(`${SELECT} WHERE i.id = $1`, [request.params.id]);
    if (!rows[0]) throw new HttpProblem(404, 'Not found', 'no invitation with this id');
    return view(rows[0]);
  });

  app.get('/v1/ops/invitations', async (request) => {
    const parsed = byQuery.safeParse(request.query);
    if (!parsed.success) {
      throw new HttpProblem(
        400,
        'Invalid lookup',
        'give messageSid (a survey text or a reply), or source and visitId (as the record system sent it)',
      );
    }
    const q = parsed.data;
    if ('messageSid' in q) {
      const { rows } = await deps.pool.query<Row>(
        `${SELECT} WHERE i.message_sid = $1
          OR i.id = (SELECT m.invitation_id FROM inbound_messages m WHERE m.message_sid = $1)`,
        [q.messageSid],
      );
      return { invitations: rows.map(view) };
    }
    const source = q.source.toLowerCase();
    const visitId = storedVisitId(source, q.visitId);
    const [{ rows }, cancel] = await Promise.all([
      deps.pool.query<Row>(`${SELECT} WHERE v.source = $1 AND v.source_visit_id = $2`, [source, visitId]),
      deps.pool.query<{ received_at: Date }>('SELECT received_at FROM visit_cancellations WHERE source = $1 AND source_visit_id = $2', [
        source,
        visitId,
      ]),
    ]);
    // A cancellation is kept also for a visit not (yet) stored: one that ends later is never surveyed.
    return { invitations: rows.map(view), cancelledAt: cancel.rows[0]?.received_at ?? null };
  });
}
