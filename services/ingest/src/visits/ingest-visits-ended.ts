import type { KaikuConfig } from '@kaiku/config';
import { InvalidVisitError, type Keys, type VisitEvent } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { endedArgs, handledOf, rejectedOutcome } from './ingest-visit.ts';
import type { VisitOutcome } from './outcome.ts';
import * as repo from './visit.repository.ts';
import { createVisitRules, type PreparedVisit } from './visit-decision.ts';

export interface EndedIngestorDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  onCancelled?: (invitationIds: string[]) => void;
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
 * Visit-ended events (only those: see `isVisitEnded`) in one round trip and one commit: the pure
 * rules here, the database half of every event in one call of `kaiku_ingest_visits_ended`, which
 * decides them exactly as one by one in the order given (set-based, round by round). Outcomes in
 * the same order; an event the rules refuse is `rejected` and stores nothing. Rejects only when
 * the call fails (then nothing of it was stored).
 */
export function createEndedIngestor(deps: EndedIngestorDeps) {
  const rules = createVisitRules(deps);
  const now = deps.now ?? (() => new Date());

  return async function ingestEnded(events: VisitEvent[]): Promise<VisitOutcome[]> {
    const outcomes: VisitOutcome[] = new Array(events.length);
    const at = now();
    const prepared: Array<{ n: number; p: PreparedVisit; args: repo.VisitEndedArgs }> = [];
    events.forEach((event, n) => {
      try {
        const p = rules.prepare(event, event.visitId as string, at);
        prepared.push({ n, p, args: endedArgs(rules, deps.keys, p) });
      } catch (error) {
        if (!(error instanceof InvalidVisitError)) throw error;
        outcomes[n] = rejectedOutcome(event, error);
      }
    });
    if (prepared.length === 0) return outcomes;
    const rounds = roundsOf(
      prepared.map(({ p }) => [`visit:${p.visit.source}\u0000${p.visitId}`, ...(p.pseudonym ? [`patient:${p.pseudonym}`] : [])]),
    );
    // Sorted by round, in the given order within a round (a stable sort).
    const order = prepared.map((_, k) => k).sort((a, b) => (rounds[a] as number) - (rounds[b] as number));
    const done = await repo.ingestVisitsEnded(
      deps.pool,
      order.map((k) => ({ ...(prepared[k] as (typeof prepared)[number]).args, round: rounds[k] as number })),
    );
    const cancelled: string[] = [];
    order.forEach((k, i) => {
      const { n, p, args } = prepared[k] as (typeof prepared)[number];
      const handled = handledOf(p, args, done[i] as repo.VisitEndedResult);
      outcomes[n] = handled.outcome;
      cancelled.push(...handled.cancelled);
    });
    if (cancelled.length) deps.onCancelled?.(cancelled);
    return outcomes;
  };
}
export type EndedIngestor = ReturnType<typeof createEndedIngestor>;
