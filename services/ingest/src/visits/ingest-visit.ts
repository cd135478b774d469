import type { KaikuConfig } from '@kaiku/config';
import { encryptPhone, InvalidVisitError, type Keys, type SkipReason, type VisitEvent } from '@kaiku/core';
import { type Pool, type PoolClient, retryIfRolledBack, withTransaction } from '@kaiku/db';
import type { Logger } from 'pino';
import * as cancellation from './cancellation.repository.ts';
import { describeCancelledTexts, textState } from './cancelled-text.ts';
import { applyKnownDeaths } from './known-deaths.ts';
import type { VisitOutcome } from './outcome.ts';
import * as patients from './patient-update.repository.ts';
import { updatePatient } from './patient-update.ts';
import * as repo from './visit.repository.ts';
import { createVisitRules, type PreparedVisit, type VisitRules } from './visit-decision.ts';

export interface VisitIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  /** Called after the commit with invitations that were cancelled (their queued jobs can go). */
  onCancelled?: (invitationIds: string[]) => void;
  /** For the line that says a visit took earlier ones' same-day surveys (replacedSurveysLog). */
  logger?: Logger;
}

/** What one handler did inside the transaction; `cancelled` jobs are removed after the commit. */
export interface Handled {
  outcome: VisitOutcome;
  cancelled: string[];
  /** A cancel gave the survey back to an earlier visit of the day that this one had replaced: its invitation. */
  restored?: string;
}

/**
 * Processes one canonical visit event in one transaction: visit, invitation or skip, outbox row
 * (a visit-ended event in one round trip).
 * Resolves only after the commit, so an acknowledged event is never lost. Rejects (throws) only
 * when the database is unavailable; a bad event resolves to a `rejected` outcome.
 */
export function createVisitIngestor(deps: VisitIngestorDeps) {
  const rules = createVisitRules(deps);
  const now = deps.now ?? (() => new Date());
  const survey = deps.kaiku.survey;

  /**
   * A visit-ended event: the pure rules here, everything else in one call of
   * `kaiku_ingest_visit_ended` in autocommit (one round trip, one commit; see its migration).
   */
  async function visitEnded(event: VisitEvent, visitId: string, at: Date): Promise<Handled> {
    const p = rules.prepare(event, visitId, at);
    await applyKnownDeaths(deps.pool, [p]);
    const args = endedArgs(rules, deps.keys, p);
    const handled = handledOf(p, args, await retryIfRolledBack(() => repo.ingestVisitEnded(deps.pool, args), 3));
    logReplacedSurveys(deps.logger, handled);
    await describeCancelledTexts(deps.pool, [{ source: event.source, outcome: handled.outcome }]);
    return { ...handled, cancelled: [...handled.cancelled, ...(await withdrawIfBarred(deps.pool, p))] };
  }

  async function visitCancelled(client: PoolClient, event: VisitEvent, visitId: string): Promise<Handled> {
    // After a visit-ended of the same visit in flight has committed (or before it starts): see lockVisit.
    await repo.lockVisit(client, event.source, visitId);
    let found = await cancellation.findVisit(client, event.source, visitId);
    // The patient's lock before anything of theirs changes, the order ingest takes them in: two
    // cancels of one patient's day run one after the other, so the second's restore sees the first's
    // cancellation (a probe: cancels of B and C at once gave the cancelled B its survey back).
    if (found) {
      await cancellation.lockPatientOfVisit(client, found.id);
      found = await cancellation.findVisit(client, event.source, visitId);
    }
    await cancellation.recordCancellation(client, event.source, visitId, event.sourceEventId ?? null);
    const held = found?.invitation_id ? await cancellation.cancelInvitation(client, found.invitation_id) : null;
    const cancelled = held && found?.invitation_id ? [found.invitation_id] : [];
    // An earlier visit of the day that this one had replaced is surveyed after all (a scheduling probe).
    const restored = held && found ? await cancellation.restoreReplacedVisit(client, found.id, held) : null;
    // An unknown visit, or one already texted: recorded (and acknowledged), nothing else to do; the
    // answer says when the text had gone, or may be going (see textState).
    const status = found?.invitation_id && cancelled.length === 0 ? found.status : null;
    // Said, so that a cancel whose id was written another way than its visit's is not taken for a real one.
    const unknown = found ? {} : { visitUnknown: true as const };
    return { outcome: { outcome: 'cancelled', visitId, ...textState(status), ...unknown }, cancelled, ...(restored ? { restored } : {}) };
  }

  return async function ingest(event: VisitEvent): Promise<VisitOutcome> {
    const at = now();
    try {
      const handled =
        event.kind === 'visit-ended' && event.visitId
          ? await visitEnded(event, event.visitId, at)
          : await retryIfRolledBack(
              () =>
                withTransaction(deps.pool, (client) => {
                  if (event.kind === 'patient-updated') return updatePatient(client, event, { keys: deps.keys, survey, now: at });
                  const visitId = event.visitId;
                  if (!visitId) throw new InvalidVisitError('visitId', `required when kind is ${event.kind}`);
                  return visitCancelled(client, event, visitId);
                }),
              3,
            );
      if (handled.cancelled.length) deps.onCancelled?.(handled.cancelled);
      if (handled.restored) {
        // (after the commit) the mirror of logReplacedSurveys: a support desk reading that line alone would say no text goes
        deps.logger?.info(
          { part: 'visits', visitId: event.visitId, cancelledInvitationIds: handled.cancelled, restoredInvitationId: handled.restored },
          'same-day rule: the cancelled visit gives its survey back to an earlier visit that day',
        );
      }
      return handled.outcome;
    } catch (error) {
      if (error instanceof InvalidVisitError) return rejectedOutcome(event, error);
      throw error;
    }
  };
}
export type VisitIngestor = ReturnType<typeof createVisitIngestor>;

/** What the database half of a prepared visit-ended event needs (the send time only if it may be sent). */
export function endedArgs(rules: VisitRules, keys: Keys, p: PreparedVisit): repo.VisitEndedArgs {
  const schedulable = !p.facts.skip;
  return {
    visit: p.visit,
    skip: p.facts.skip,
    phoneHash: p.phoneHash,
    phoneEnc: schedulable ? encryptPhone(keys, p.facts.mobile as string) : null,
    since: p.since,
    sendAt: schedulable ? rules.sendAt(p) : null,
  };
}

/**
 * A visit whose patient has since died, come under non-disclosure or refused texts withdraws the
 * patient's other still-scheduled surveys (as `patient-updated` does). Run after the visit's own
 * commit (in a batch, after its round: before later visits of the patient are decided) and before
 * the answer: whatever the outcome, a resend after a failure here is a duplicate that withdraws again.
 */
export async function withdrawIfBarred(pool: Pool, p: PreparedVisit): Promise<string[]> {
  // Also for a visit skipped as stale or future: what it says about the patient holds now.
  const reason = p.facts.bars;
  if (!reason || !p.pseudonym) return [];
  const pseudonym = p.pseudonym;
  return retryIfRolledBack(() => patients.withdrawPatientSurveys(pool, pseudonym, reason), 3);
}

/** The outcome of a visit-ended event from what the database said. */
export function handledOf(p: PreparedVisit, args: repo.VisitEndedArgs, done: repo.VisitEndedResult): Handled {
  const visitId = p.visitId;
  if (done.outcome === 'cancelled' || done.outcome === 'duplicate') {
    // cancelled: the cancellation came first (or the visit was cancelled and ended again): never surveyed.
    return { outcome: { outcome: done.outcome, visitId }, cancelled: [] };
  }
  if (done.outcome === 'skipped') return { outcome: { outcome: 'skipped', visitId, reason: done.reason as SkipReason }, cancelled: [] };
  return {
    outcome: {
      outcome: 'scheduled',
      visitId,
      invitationId: done.invitationId as string,
      sendAt: (args.sendAt as Date).toISOString(),
      language: done.language as string,
    },
    cancelled: done.superseded,
  };
}

/**
 * One line when a visit took the surveys of the patient's earlier visits that day (the same-day
 * rule): their invitations end `skipped: same-day-visit`, which their own `scheduled` line and
 * the record system's ACK do not say (a support desk told a patient the wrong visit was surveyed).
 */
export function logReplacedSurveys(logger: Logger | undefined, handled: Handled) {
  const o = handled.outcome;
  if (!logger || o.outcome !== 'scheduled' || handled.cancelled.length === 0) return;
  logger.info(
    { part: 'visits', visitId: o.visitId, invitationId: o.invitationId, replacedInvitationIds: handled.cancelled },
    'same-day rule: this visit takes the surveys of earlier visits that day',
  );
}

export function rejectedOutcome(event: VisitEvent, error: InvalidVisitError): VisitOutcome {
  return { outcome: 'rejected', ...(event.visitId ? { visitId: event.visitId } : {}), error: error.message, field: error.field };
}
