import type { Pool } from '@kaiku/db';
import type { VisitOutcome } from './outcome.ts';

/** Statuses of an invitation whose text went to the patient. */
const TEXTED = new Set(['sent', 'delivered', 'undelivered', 'answered', 'completed', 'expired']);
/** … and whose text may be going (`scheduled` that a cancellation could not cancel: a retry that first looks at Twilio). */
const IN_FLIGHT = new Set(['sending', 'unknown', 'scheduled']);

/**
 * What a `cancelled` answer adds about the survey's text, from its invitation's status, so that no
 * one reads "cancelled" as "no survey": it had gone out (`textSent`: its answers count), or was
 * being sent (`textInFlight`: cancelled if Twilio's log shows it did not go).
 */
export function textState(status: string | null | undefined): { textSent?: true; textInFlight?: true } {
  if (status && TEXTED.has(status)) return { textSent: true };
  if (status && IN_FLIGHT.has(status)) return { textInFlight: true };
  return {};
}

/**
 * A visit-ended event resent after its visit was cancelled is answered `cancelled`, and says, as
 * the cancellation's own answer did, when the survey's text had gone out or was going.
 */
export async function describeCancelledTexts(pool: Pool, items: Array<{ source: string; outcome: VisitOutcome }>): Promise<void> {
  const cancelled = items.filter((i) => i.outcome.outcome === 'cancelled' && i.outcome.visitId);
  if (cancelled.length === 0) return;
  const { rows } = await pool.query<{ source: string; source_visit_id: string; status: string }>(
    `SELECT v.source, v.source_visit_id, i.status FROM unnest($1::text[], $2::text[]) AS k(source, visit_id)
       JOIN visits v ON v.source = k.source AND v.source_visit_id = k.visit_id
       JOIN invitations i ON i.visit_id = v.id`,
    [cancelled.map((i) => i.source), cancelled.map((i) => i.outcome.visitId)],
  );
  const status = new Map(rows.map((r) => [`${r.source} ${r.source_visit_id}`, r.status]));
  for (const { source, outcome } of cancelled) Object.assign(outcome, textState(status.get(`${source} ${outcome.visitId}`)));
}
