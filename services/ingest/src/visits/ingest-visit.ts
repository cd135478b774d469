import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  assessVisit,
  encryptPhone,
  InvalidVisitError,
  isLanguage,
  type Keys,
  phoneHashOf,
  pseudonymOf,
  sendTimeFor,
  uniformFromKey,
  type VisitEvent,
} from '@kaiku/core';
import { type Pool, type PoolClient, withTransaction } from '@kaiku/db';
import type { VisitOutcome } from './outcome.ts';
import { updatePatient } from './patient-update.ts';
import * as repo from './visit.repository.ts';

export interface VisitIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  /** Called after the commit with invitations that were cancelled (their queued jobs can go). */
  onCancelled?: (invitationIds: string[]) => void;
}

const DAY = 86_400_000;

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
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());
  const survey = deps.kaiku.survey;
  const policy = { ...survey, timezone: deps.kaiku.timezone };

  async function visitEnded(client: PoolClient, event: VisitEvent, visitId: string, at: Date): Promise<Handled> {
    const unit = units.get(event.unit.id);
    const sampleDraw = uniformFromKey(deps.keys, `${event.source}:${visitId}`);
    const facts = assessVisit(
      event,
      { enrolled: Boolean(unit), sensitive: unit?.sensitive ?? false, sampling: unit?.sampling ?? 0 },
      policy,
      at,
      sampleDraw,
    );
    const pseudonym = facts.personalId ? pseudonymOf(deps.keys, facts.personalId) : null;
    if (await repo.lockPatientAndCheckCancelled(client, pseudonym, event.source, visitId)) {
      // The cancellation came first (or the visit was cancelled and ended again): never surveyed.
      return { outcome: { outcome: 'cancelled', visitId }, cancelled: [] };
    }
    const endedAt = new Date(event.endedAt as string);
    const visitRowId = await repo.insertVisit(client, {
      source: event.source,
      sourceVisitId: visitId,
      sourceEventId: event.sourceEventId ?? null,
      unitId: event.unit.id,
      service: unit?.service ?? 'other',
      serviceClass: event.service?.class ?? null,
      endedAt,
      visitDay: facts.visitDay,
      language: facts.language,
      ageBand: facts.ageBand,
      pseudonym,
    });
    if (!visitRowId) return { outcome: { outcome: 'duplicate', visitId }, cancelled: [] };

    let skip = facts.skip;
    const phoneHash = facts.mobile ? phoneHashOf(deps.keys, facts.mobile) : null;
    let language = facts.language;
    const superseded: string[] = [];
    const phone = !skip && phoneHash ? await repo.phoneFacts(client, phoneHash) : null;
    if (phone?.optedOut) skip = 'opted-out';
    if (!skip && pseudonym) {
      const since = new Date(endedAt.getTime() - survey.resurveyAfterDays * DAY).toISOString().slice(0, 10);
      for (const other of await repo.recentInvitations(client, pseudonym, since)) {
        if (other.visit_day === facts.visitDay) {
          // Of one patient's visits on the same day only the last is surveyed.
          if (other.status === 'scheduled' && other.ended_at <= endedAt) superseded.push(other.id);
          else skip = 'same-day-visit';
        } else {
          skip = 'recently-surveyed';
        }
        if (skip) break;
      }
    }
    if (skip) {
      await repo.insertInvitation(client, {
        visitId: visitRowId,
        status: 'skipped',
        skipReason: skip,
        phoneEnc: null,
        phoneHash: null,
        language,
        sendAt: null,
        expiresAt: null,
      });
      return { outcome: { outcome: 'skipped', visitId, reason: skip }, cancelled: [] };
    }
    for (const id of superseded) await repo.supersedeInvitation(client, id);
    const chosen = phone?.language; // the patient's own choice by SMS outranks the record
    if (isLanguage(chosen)) language = chosen;
    const sendAt = sendTimeFor(endedAt, at, policy);
    const invitationId = await repo.insertScheduledInvitation(client, {
      visitId: visitRowId,
      phoneEnc: encryptPhone(deps.keys, facts.mobile as string),
      phoneHash,
      language,
      sendAt,
      expiresAt: null,
    });
    return { outcome: { outcome: 'scheduled', visitId, invitationId, sendAt: sendAt.toISOString(), language }, cancelled: superseded };
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
      if (error instanceof InvalidVisitError) {
        return { outcome: 'rejected', ...(event.visitId ? { visitId: event.visitId } : {}), error: error.message, field: error.field };
      }
      throw error;
    }
  };
}
export type VisitIngestor = ReturnType<typeof createVisitIngestor>;
