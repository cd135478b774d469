import type { KaikuConfig } from '@kaiku/config';
import { encryptPhone, InvalidVisitError, type Keys, type VisitEvent } from '@kaiku/core';
import { type Pool, type PoolClient, withTransaction } from '@kaiku/db';
import type { VisitOutcome } from './outcome.ts';
import { updatePatient } from './patient-update.ts';
import * as repo from './visit.repository.ts';
import { createVisitRules } from './visit-decision.ts';

export interface VisitIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  /** Called after the commit with invitations that were cancelled (their queued jobs can go). */
  onCancelled?: (invitationIds: string[]) => void;
}

/** What one handler did inside the transaction; `cancelled` jobs are removed after the commit. */
export interface Handled {
  outcome: VisitOutcome;
  cancelled: string[];
}

/**
 * Processes one canonical visit event in one transaction: visit, invitation or skip, outbox row.
 * Resolves only after the commit, so an acknowledged event is never lost. Rejects (throws) only
 * when the database is unavailable; a bad event resolves to a `rejected` outcome.
 */
export function createVisitIngestor(deps: VisitIngestorDeps) {
  const rules = createVisitRules(deps);
  const now = deps.now ?? (() => new Date());
  const survey = deps.kaiku.survey;

  async function visitEnded(client: PoolClient, event: VisitEvent, visitId: string, at: Date): Promise<Handled> {
    const p = rules.prepare(event, visitId, at);
    if (await repo.lockPatientAndCheckCancelled(client, p.pseudonym, event.source, visitId)) {
      // The cancellation came first (or the visit was cancelled and ended again): never surveyed.
      return { outcome: { outcome: 'cancelled', visitId }, cancelled: [] };
    }
    const visitRowId = await repo.insertVisit(client, p.visit);
    if (!visitRowId) return { outcome: { outcome: 'duplicate', visitId }, cancelled: [] };

    const phone = rules.needsPhone(p) ? await repo.phoneFacts(client, p.phoneHash as string) : null;
    const recent = rules.needsRecent(p, phone) ? await repo.recentInvitations(client, p.pseudonym as string, p.since) : [];
    const decision = rules.decide(p, phone, recent);
    if (decision.skip) {
      await repo.insertInvitation(client, {
        visitId: visitRowId,
        status: 'skipped',
        skipReason: decision.skip,
        phoneEnc: null,
        phoneHash: null,
        language: decision.language,
        sendAt: null,
        expiresAt: null,
      });
      return { outcome: { outcome: 'skipped', visitId, reason: decision.skip }, cancelled: [] };
    }
    for (const id of decision.superseded) await repo.supersedeInvitation(client, id);
    const invitationId = await repo.insertScheduledInvitation(client, {
      visitId: visitRowId,
      phoneEnc: encryptPhone(deps.keys, p.facts.mobile as string),
      phoneHash: p.phoneHash,
      language: decision.language,
      sendAt: decision.sendAt,
      expiresAt: null,
    });
    const { sendAt, language } = decision;
    return {
      outcome: { outcome: 'scheduled', visitId, invitationId, sendAt: sendAt.toISOString(), language },
      cancelled: decision.superseded,
    };
  }

  async function visitCancelled(client: PoolClient, event: VisitEvent, visitId: string): Promise<Handled> {
    await repo.recordCancellation(client, event.source, visitId, event.sourceEventId ?? null);
    const found = await repo.findVisit(client, event.source, visitId);
    const cancelled = found?.invitation_id && (await repo.cancelInvitation(client, found.invitation_id)) ? [found.invitation_id] : [];
    // An unknown visit, or one already texted: recorded (and acknowledged), nothing else to do.
    return { outcome: { outcome: 'cancelled', visitId }, cancelled };
  }

  return async function ingest(event: VisitEvent): Promise<VisitOutcome> {
    const at = now();
    try {
      const handled = await withTransaction(deps.pool, (client) => {
        if (event.kind === 'patient-updated') return updatePatient(client, event, { keys: deps.keys, survey });
        const visitId = event.visitId;
        if (!visitId) throw new InvalidVisitError('visitId', `required when kind is ${event.kind}`);
        if (event.kind === 'visit-cancelled') return visitCancelled(client, event, visitId);
        return visitEnded(client, event, visitId, at);
      });
      if (handled.cancelled.length) deps.onCancelled?.(handled.cancelled);
      return handled.outcome;
    } catch (error) {
      if (error instanceof InvalidVisitError) return rejectedOutcome(event, error);
      throw error;
    }
  };
}
export type VisitIngestor = ReturnType<typeof createVisitIngestor>;

export function rejectedOutcome(event: VisitEvent, error: InvalidVisitError): VisitOutcome {
  return { outcome: 'rejected', ...(event.visitId ? { visitId: event.visitId } : {}), error: error.message, field: error.field };
}
