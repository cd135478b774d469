import type { KaikuConfig } from '@kaiku/config';
import { InvalidVisitError, type Keys, type VisitEvent } from '@kaiku/core';
import { type Pool, retryIfRolledBack } from '@kaiku/db';
import type { Logger } from 'pino';
import { describeCancelledTexts } from './cancelled-text.ts';
import { endedArgs, handledOf, logReplacedSurveys, rejectedOutcome, withdrawIfBarred } from './ingest-visit.ts';
import { applyKnownDeaths } from './known-deaths.ts';
import type { VisitOutcome } from './outcome.ts';
import * as repo from './visit.repository.ts';
import { createVisitRules, type PreparedVisit } from './visit-decision.ts';

export interface EndedIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  onCancelled?: (invitationIds: string[]) => void;
  logger?: Logger;
}

/** Whether an event can go through `createEndedIngestor` (a visit-ended event that names its visit). */
export const isVisitEnded = (event: VisitEvent) => event.kind === 'visit-ended' && Boolean(event.visitId);

/**
 * The round of each event: one after the last round that holds an earlier event of its visit or
 * its patient. The events of one round share no visit and no patient, and an event's round comes
 * after every earlier event it depends on, so rounds in order decide as one by one.
 */
export function roundsOf(keys: string[][]): number[] {
  const roundOf = new Map<string, number>();
  return keys.map((own) => {
    let round = 0;
    for (const k of own) round = Math.max(round, (roundOf.get(k) ?? -1) + 1);
    for (const k of own) roundOf.set(k, round);
    return round;
  });
}

/**
 * Visit-ended events (only those: see `isVisitEnded`) in one round trip and one commit per round
 * (usually one: events of distinct visits and patients): the pure rules here, the database half
 * in calls of `kaiku_ingest_visits_ended`, which decide them exactly as one by one in the order
 * given (set-based). Outcomes in the same order; an event the rules refuse is `rejected` and
 * stores nothing. Rejects when a call fails (what earlier rounds stored stays: a resend of it is
 * a duplicate).
 */
export function createEndedIngestor(deps: EndedIngestorDeps) {
  const rules = createVisitRules(deps);
  const now = deps.now ?? (() => new Date());

  return async function ingestEnded(events: VisitEvent[]): Promise<VisitOutcome[]> {
    const outcomes: VisitOutcome[] = new Array(events.length);
    const at = now();
    const valid: Array<{ n: number; p: PreparedVisit }> = [];
    events.forEach((event, n) => {
      try {
        valid.push({ n, p: rules.prepare(event, event.visitId as string, at) });
      } catch (error) {
        if (!(error instanceof InvalidVisitError)) throw error;
        outcomes[n] = rejectedOutcome(event, error);
      }
    });
    if (valid.length === 0) return outcomes;
    await applyKnownDeaths(
      deps.pool,
      valid.map(({ p }) => p),
    );
    const prepared = valid.map(({ n, p }) => ({ n, p, args: endedArgs(rules, deps.keys, p) }));
    const rounds = roundsOf(
      prepared.map(({ p }) => [`visit:${p.visit.source}\u0000${p.visitId}`, ...(p.pseudonym ? [`patient:${p.pseudonym}`] : [])]),
    );
    // One call (one transaction) per round: a transaction that held one round's rollup rows while
    // it locked the next round's could deadlock with another batch crossing it the other way.
    const byRound: number[][] = [];
    rounds.forEach((round, k) => {
      const members = byRound[round] ?? [];
      members.push(k);
      byRound[round] = members;
    });
    const done: repo.VisitEndedResult[] = new Array(prepared.length);
    const withdrawn: string[] = [];
    for (const members of byRound) {
      const results = await retryIfRolledBack(
        () =>
          repo.ingestVisitsEnded(
            deps.pool,
            members.map((k) => ({ ...(prepared[k] as (typeof prepared)[number]).args, round: 0 })),
          ),
        3,
      );
      members.forEach((k, i) => {
        done[k] = results[i] as repo.VisitEndedResult;
      });
      // A barred event withdraws the patient's surveys before the next round decides: one by one,
      // a later visit of the patient is decided after it (a patient's events are in later rounds).
      for (const k of members) withdrawn.push(...(await withdrawIfBarred(deps.pool, (prepared[k] as (typeof prepared)[number]).p)));
    }
    const cancelled: string[] = [];
    prepared.forEach(({ n, p, args }, k) => {
      const handled = handledOf(p, args, done[k] as repo.VisitEndedResult);
      logReplacedSurveys(deps.logger, handled);
      outcomes[n] = handled.outcome;
      cancelled.push(...handled.cancelled);
    });
    await describeCancelledTexts(
      deps.pool,
      prepared.map(({ n, args }) => ({ source: args.visit.source, outcome: outcomes[n] as VisitOutcome })),
    );
    cancelled.push(...withdrawn);
    if (cancelled.length) deps.onCancelled?.(cancelled);
    return outcomes;
  };
}
export type EndedIngestor = ReturnType<typeof createEndedIngestor>;
