import type { PoolClient } from '@kaiku/db';
import type { NewVisit } from './visit.repository.ts';
import type { PhoneFacts, RecentInvitation } from './visit-decision.ts';

/**
 * Set-based SQL for a batch of visits in one transaction: each statement handles every visit of
 * the batch at once (arrays through `unnest`), so a batch costs a handful of round trips.
 */

const visitKey = (source: string, sourceVisitId: string) => `${source}\u0000${sourceVisitId}`;

/**
 * Locks every patient of the batch, in one order shared by all batches (so two batches never
 * deadlock), then tells which visits' cancellations came first (keys from `visitKey`).
 */
export async function lockPatientsAndFindCancelled(
  client: PoolClient,
  pseudonyms: string[],
  visits: Array<{ source: string; sourceVisitId: string }>,
): Promise<Set<string>> {
  await client.query({
    name: 'ingest-batch-lock',
    text: `SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT DISTINCT hashtextextended(p, 0) AS h FROM unnest($1::text[]) AS p ORDER BY 1) AS l`,
    values: [pseudonyms],
  });
  const { rows } = await client.query<{ source: string; source_visit_id: string }>({
    name: 'ingest-batch-cancelled',
    text: `SELECT c.source, c.source_visit_id FROM unnest($1::text[], $2::text[]) AS x(source, id)
           JOIN visit_cancellations c ON c.source = x.source AND c.source_visit_id = x.id`,
    values: [visits.map((v) => v.source), visits.map((v) => v.sourceVisitId)],
  });
  return new Set(rows.map((r) => visitKey(r.source, r.source_visit_id)));
}

/** Inserts the visits (in key order); returns the new rows' ids by `visitKey` (a known visit is left out). */
export async function insertVisits(client: PoolClient, visits: NewVisit[]): Promise<Map<string, string>> {
  const col = <K extends keyof NewVisit>(k: K) => visits.map((v) => v[k]);
  const { rows } = await client.query<{ id: string; source: string; source_visit_id: string }>({
    name: 'ingest-batch-insert-visits',
    text: `INSERT INTO visits (source, source_visit_id, source_event_id, unit_id, service, service_class, ended_at, visit_day, language, age_band, patient_pseudonym)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::date[], $9::text[], $10::text[], $11::text[])
           ORDER BY 1, 2
           ON CONFLICT (source, source_visit_id) DO NOTHING RETURNING id, source, source_visit_id`,
    values: [
      col('source'),
      col('sourceVisitId'),
      col('sourceEventId'),
      col('unitId'),
      col('service'),
      col('serviceClass'),
      visits.map((v) => v.endedAt.toISOString()),
      col('visitDay'),
      col('language'),
      col('ageBand'),
      col('pseudonym'),
    ],
  });
  return new Map(rows.map((r) => [visitKey(r.source, r.source_visit_id), r.id]));
}

/** Opt-out and SMS-chosen language of each number. */
export async function phoneFactsOf(client: PoolClient, phoneHashes: string[]): Promise<Map<string, PhoneFacts>> {
  const { rows } = await client.query<{ phone_hash: string; opted_out: boolean; language: string | null }>({
    name: 'ingest-batch-phone-facts',
    text: `SELECT h AS phone_hash, EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = h) AS opted_out,
             (SELECT l.language FROM language_preferences l WHERE l.phone_hash = h) AS language
           FROM unnest($1::text[]) AS h`,
    values: [phoneHashes],
  });
  return new Map(rows.map((r) => [r.phone_hash, { optedOut: r.opted_out, language: r.language }]));
}

/** Live invitations of each patient since that patient's day, in the order of their visits' end. */
export async function recentInvitationsOf(
  client: PoolClient,
  wanted: Array<{ pseudonym: string; since: string }>,
): Promise<Map<string, RecentInvitation[]>> {
  const { rows } = await client.query<RecentInvitation & { pseudonym: string }>({
    name: 'ingest-batch-recent',
    text: `SELECT x.p AS pseudonym, i.id, i.status, v.visit_day, v.ended_at
           FROM unnest($1::text[], $2::date[]) AS x(p, since)
           JOIN visits v ON v.patient_pseudonym = x.p AND v.visit_day >= x.since
           JOIN invitations i ON i.visit_id = v.id
           WHERE i.status NOT IN ('skipped', 'cancelled')
           ORDER BY v.ended_at, v.source, v.source_visit_id`,
    values: [wanted.map((w) => w.pseudonym), wanted.map((w) => w.since)],
  });
  const byPatient = new Map<string, RecentInvitation[]>();
  for (const { pseudonym, ...row } of rows) {
    const list = byPatient.get(pseudonym) ?? [];
    list.push(row);
    byPatient.set(pseudonym, list);
  }
  return byPatient;
}

/** Still-scheduled invitations replaced by a later visit the same day become skips. */
export async function supersedeInvitations(client: PoolClient, invitationIds: string[]) {
  await client.query({
    name: 'ingest-batch-supersede',
    text: `UPDATE invitations SET status = 'skipped', skip_reason = 'same-day-visit', phone_enc = NULL, phone_hash = NULL, updated_at = now()
           WHERE id = ANY($1::uuid[]) AND status = 'scheduled'`,
    values: [invitationIds],
  });
}

export interface BatchInvitation {
  visitId: string;
  skipReason: string | null;
  phoneEnc: Buffer | null;
  phoneHash: string | null;
  language: string;
  sendAt: Date | null;
}

/**
 * All invitations of the batch in one statement (skipped, or scheduled with an outbox row each, in
 * batch order); returns the invitation id by visit row id.
 */
export async function insertInvitations(client: PoolClient, invitations: BatchInvitation[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; visit_id: string }>({
    name: 'ingest-batch-insert-invitations',
    text: `WITH x AS (
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[], $5::text[], $6::timestamptz[])
               WITH ORDINALITY AS x(visit_id, skip_reason, phone_enc, phone_hash, language, send_at, ord)
           ), inv AS (
             INSERT INTO invitations (visit_id, status, skip_reason, phone_enc, phone_hash, language, send_at, expires_at)
             SELECT visit_id, CASE WHEN skip_reason IS NULL THEN 'scheduled' ELSE 'skipped' END, skip_reason, phone_enc, phone_hash, language, send_at, NULL
             FROM x ORDER BY ord
             RETURNING id, visit_id, status
           ), ob AS (
             INSERT INTO outbox (invitation_id)
             SELECT inv.id FROM inv JOIN x ON x.visit_id = inv.visit_id WHERE inv.status = 'scheduled' ORDER BY x.ord
           )
           SELECT id, visit_id FROM inv`,
    values: [
      invitations.map((i) => i.visitId),
      invitations.map((i) => i.skipReason),
      invitations.map((i) => i.phoneEnc),
      invitations.map((i) => i.phoneHash),
      invitations.map((i) => i.language),
      invitations.map((i) => i.sendAt?.toISOString() ?? null),
    ],
  });
  return new Map(rows.map((r) => [r.visit_id, r.id]));
}

export { visitKey };
