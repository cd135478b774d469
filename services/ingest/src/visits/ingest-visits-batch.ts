import type { KaikuConfig } from '@kaiku/config';
import { encryptPhone, InvalidVisitError, type Keys, type VisitEvent } from '@kaiku/core';
import { type Pool, withTransaction } from '@kaiku/db';
import { rejectedOutcome, type VisitIngestor } from './ingest-visit.ts';
import type { VisitOutcome } from './outcome.ts';
import * as repo from './visit-batch.repository.ts';
import { createVisitRules, type PreparedVisit } from './visit-decision.ts';

export interface BatchIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  /** The one-event path, for cancellations and patient updates. */
  ingest: VisitIngestor;
  onCancelled?: (invitationIds: string[]) => void;
}

/**
 * Ingests many events at once and answers each with its own outcome, in order, deciding exactly as
 * the one-event path would one by one in batch order. Visit-ended events are handled set-based
 * (the pure steps in memory, then one transaction of a few multi-row statements per round, see
 * `plan`); cancellations and patient updates go through the one-event path in their place.
 * Rejects only when the database is unavailable (what committed before stays: a resend of it is a
 * duplicate).
 */
type Step = { set: number[]; one?: never } | { one: number; set?: never };

/**
 * The order of work for a batch. A cancellation or a patient update may touch any patient (its
 * visit's patient is in the database), so it runs alone, after everything before it and before
 * everything after it. Between two of them, visit-ended events go in rounds: an event joins the
 * round after the last one that holds an earlier event of its visit or patient. The events of one
 * round share no visit and no patient, so one set-based transaction decides each as if alone, and
 * an event sees every earlier event of its visit and patient committed, as one by one.
 */
function plan(prepared: Array<PreparedVisit | null>, keys: string[][], rejected: Array<VisitOutcome | undefined>): Step[] {
  const steps: Step[] = [];
  let rounds: number[][] = [];
  let roundOf = new Map<string, number>();
  const flush = () => {
    for (const set of rounds) steps.push({ set });
    rounds = [];
    roundOf = new Map();
  };
  prepared.forEach((p, i) => {
    if (rejected[i]) return; // nothing stored, nothing changed
    if (!p) {
      flush();
      steps.push({ one: i });
      return;
    }
    const own = keys[i] as string[];
    const round = Math.max(-1, ...own.map((k) => roundOf.get(k) ?? -1)) + 1;
    if (!rounds[round]) rounds[round] = [];
    (rounds[round] as number[]).push(i);
    for (const k of own) roundOf.set(k, round);
  });
  flush();
  return steps;
}

export function createBatchIngestor(deps: BatchIngestorDeps) {
  const rules = createVisitRules(deps);
  const now = deps.now ?? (() => new Date());

  /** What a visit-ended event depends on and changes: its visit and its patient. */
  const keysOf = (p: PreparedVisit) => [
    `visit:${repo.visitKey(p.visit.source, p.visitId)}`,
    ...(p.pseudonym ? [`patient:${p.pseudonym}`] : []),
  ];

  return async function ingestMany(events: VisitEvent[]): Promise<VisitOutcome[]> {
    const outcomes: Array<VisitOutcome | undefined> = new Array(events.length);
    const prepared: Array<PreparedVisit | null> = events.map((event, i) => {
      if (event.kind !== 'visit-ended' || !event.visitId) return null;
      try {
        return rules.prepare(event, event.visitId, now());
      } catch (error) {
        if (!(error instanceof InvalidVisitError)) throw error;
        outcomes[i] = rejectedOutcome(event, error);
        return null;
      }
    });
    const keys = prepared.map((p) => (p ? keysOf(p) : []));

    for (const step of plan(prepared, keys, outcomes)) {
      if (step.set) {
        const done = await ingestSet(step.set.map((i) => prepared[i] as PreparedVisit));
        step.set.forEach((i, n) => {
          outcomes[i] = done[n];
        });
      } else outcomes[step.one] = await deps.ingest(events[step.one] as VisitEvent);
    }
    return outcomes as VisitOutcome[];
  };

  /** Visit-ended events of distinct visits and distinct patients, in one transaction. */
  async function ingestSet(items: PreparedVisit[]): Promise<VisitOutcome[]> {
    const { outcomes, superseded } = await withTransaction(deps.pool, async (client) => {
      const pseudonyms = items.flatMap((p) => (p.pseudonym ? [p.pseudonym] : []));
      const cancelledFirst = await repo.lockPatientsAndFindCancelled(
        client,
        pseudonyms,
        items.map((p) => p.visit),
      );
      const outcomes: VisitOutcome[] = new Array(items.length);
      // The cancellation came first (or the visit was cancelled and ended again): never surveyed.
      const live = items.filter((p, n) => {
        if (!cancelledFirst.has(repo.visitKey(p.visit.source, p.visitId))) return true;
        outcomes[n] = { outcome: 'cancelled', visitId: p.visitId };
        return false;
      });
      const rowIds = live.length
        ? await repo.insertVisits(
            client,
            live.map((p) => p.visit),
          )
        : new Map<string, string>();
      const rowIdOf = (p: PreparedVisit) => rowIds.get(repo.visitKey(p.visit.source, p.visitId));
      const fresh = live.filter((p) => rowIdOf(p) !== undefined);

      const hashes = [...new Set(fresh.filter(rules.needsPhone).map((p) => p.phoneHash as string))];
      const phones = hashes.length ? await repo.phoneFactsOf(client, hashes) : new Map();
      const phoneOf = (p: PreparedVisit) => (rules.needsPhone(p) ? (phones.get(p.phoneHash as string) ?? null) : null);
      const wanted = fresh.filter((p) => rules.needsRecent(p, phoneOf(p)));
      const recent = wanted.length
        ? await repo.recentInvitationsOf(
            client,
            wanted.map((p) => ({ pseudonym: p.pseudonym as string, since: p.since })),
          )
        : new Map();

      const superseded: string[] = [];
      const invitations: repo.BatchInvitation[] = [];
      const decided = new Map<PreparedVisit, ReturnType<typeof rules.decide>>();
      for (const p of fresh) {
        const recentOf = rules.needsRecent(p, phoneOf(p)) ? (recent.get(p.pseudonym as string) ?? []) : [];
        const decision = rules.decide(p, phoneOf(p), recentOf);
        decided.set(p, decision);
        const visitId = rowIdOf(p) as string;
        if (decision.skip) {
          invitations.push({
            visitId,
            skipReason: decision.skip,
            phoneEnc: null,
            phoneHash: null,
            language: decision.language,
            sendAt: null,
          });
          continue;
        }
        superseded.push(...decision.superseded);
        invitations.push({
          visitId,
          skipReason: null,
          phoneEnc: encryptPhone(deps.keys, p.facts.mobile as string),
          phoneHash: p.phoneHash,
          language: decision.language,
          sendAt: decision.sendAt,
        });
      }
      if (superseded.length) await repo.supersedeInvitations(client, superseded);
      const invitationIds = invitations.length ? await repo.insertInvitations(client, invitations) : new Map<string, string>();

      items.forEach((p, n) => {
        if (outcomes[n]) return;
        const decision = decided.get(p);
        if (!decision) outcomes[n] = { outcome: 'duplicate', visitId: p.visitId };
        else if (decision.skip) outcomes[n] = { outcome: 'skipped', visitId: p.visitId, reason: decision.skip };
        else {
          const invitationId = invitationIds.get(rowIdOf(p) as string) as string;
          const { sendAt, language } = decision;
          outcomes[n] = { outcome: 'scheduled', visitId: p.visitId, invitationId, sendAt: sendAt.toISOString(), language };
        }
      });
      return { outcomes, superseded };
    });
    if (superseded.length) deps.onCancelled?.(superseded);
    return outcomes;
  }
}
export type BatchIngestor = ReturnType<typeof createBatchIngestor>;
