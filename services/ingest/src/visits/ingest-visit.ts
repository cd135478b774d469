import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  assessVisit,
  chooseMobile,
  encryptPhone,
  InvalidVisitError,
  isLanguage,
  type Keys,
  phoneHashOf,
  pickLanguage,
  pseudonymOf,
  sendTimeFor,
  uniformFromKey,
  type VisitEvent,
} from '@kaiku/core';
import { type Pool, type PoolClient, withTransaction } from '@kaiku/db';
import type { VisitOutcome } from './outcome.ts';
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

/**
 * Processes one canonical visit event in one transaction: visit, invitation or skip, outbox row.
 * Resolves only after the commit, so an acknowledged event is never lost.
 */
export function createVisitIngestor(deps: VisitIngestorDeps) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());
  const survey = deps.kaiku.survey;

  async function visitEnded(client: PoolClient, event: VisitEvent, at: Date): Promise<VisitOutcome> {
    const unit = units.get(event.unit.id);
    const sampleDraw = uniformFromKey(deps.keys, `${event.source}:${event.visitId}`);
    const facts = assessVisit(
      event,
      { enrolled: Boolean(unit), sensitive: unit?.sensitive ?? false, sampling: unit?.sampling ?? 0 },
      { ...survey, timezone: deps.kaiku.timezone },
      at,
      sampleDraw,
    );
    const pseudonym = facts.personalId ? pseudonymOf(deps.keys, facts.personalId) : null;
    if (pseudonym) await repo.lockPatient(client, pseudonym);
    const endedAt = new Date(event.endedAt as string);
    const visitId = await repo.insertVisit(client, {
      source: event.source,
      sourceVisitId: event.visitId,
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
    if (!visitId) return { outcome: 'duplicate', visitId: event.visitId };

    let skip = facts.skip;
    const phoneHash = facts.mobile ? phoneHashOf(deps.keys, facts.mobile) : null;
    let language = facts.language;
    const superseded: string[] = [];
    if (!skip && phoneHash && (await repo.isOptedOut(client, phoneHash))) skip = 'opted-out';
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
        visitId,
        status: 'skipped',
        skipReason: skip,
        phoneEnc: null,
        phoneHash: null,
        language,
        sendAt: null,
        expiresAt: null,
      });
      return { outcome: 'skipped', visitId: event.visitId, reason: skip };
    }
    for (const id of superseded) await repo.supersedeInvitation(client, id);
    if (superseded.length) deps.onCancelled?.(superseded);
    const preferred = await repo.preferredLanguage(client, phoneHash as string);
    if (isLanguage(preferred)) language = preferred;
    const sendAt = sendTimeFor(endedAt, at, { ...survey, timezone: deps.kaiku.timezone });
    const invitationId = await repo.insertInvitation(client, {
      visitId,
      status: 'scheduled',
      skipReason: null,
      phoneEnc: encryptPhone(deps.keys, facts.mobile as string),
      phoneHash,
      language,
      sendAt,
      expiresAt: null,
    });
    await repo.insertOutbox(client, invitationId);
    return { outcome: 'scheduled', visitId: event.visitId, invitationId, sendAt: sendAt.toISOString(), language };
  }

  async function visitCancelled(client: PoolClient, event: VisitEvent): Promise<VisitOutcome> {
    const found = await repo.findVisit(client, event.source, event.visitId);
    if (found?.invitation_id && (await repo.cancelInvitation(client, found.invitation_id))) {
      deps.onCancelled?.([found.invitation_id]);
    }
    // Unknown visit, or already sent: recorded (acknowledged) and nothing else to do.
    return { outcome: 'cancelled', visitId: event.visitId };
  }

  async function patientUpdated(client: PoolClient, event: VisitEvent): Promise<VisitOutcome> {
    const found = await repo.findVisit(client, event.source, event.visitId);
    if (found?.invitation_id && found.status === 'scheduled') {
      const mobile = chooseMobile(event.patient.mobilePhones);
      const phone = mobile.ok ? mobile.e164 : null;
      const language = pickLanguage(event.patient.languages, survey.otherLanguage);
      await repo.updateInvitationContact(
        client,
        found.invitation_id,
        phone ? encryptPhone(deps.keys, phone) : null,
        phone ? phoneHashOf(deps.keys, phone) : null,
        language,
      );
    }
    return { outcome: 'updated', visitId: event.visitId };
  }

  return async function ingest(event: VisitEvent): Promise<VisitOutcome> {
    const at = now();
    try {
      return await withTransaction(deps.pool, (client) => {
        if (event.kind === 'visit-cancelled') return visitCancelled(client, event);
        if (event.kind === 'patient-updated') return patientUpdated(client, event);
        return visitEnded(client, event, at);
      });
    } catch (error) {
      if (error instanceof InvalidVisitError) return { outcome: 'rejected', visitId: event.visitId, error: error.message };
      throw error;
    }
  };
}
export type VisitIngestor = ReturnType<typeof createVisitIngestor>;
