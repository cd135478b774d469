import type { VisitEvent } from '@kaiku/core';
import type { VisitIngestor } from './ingest-visit.ts';
import { type EndedIngestor, isVisitEnded } from './ingest-visits-ended.ts';
import type { VisitOutcome } from './outcome.ts';

export interface BatchIngestorDeps {
  /** Visit-ended events, many in one call (see ingest-visits-ended.ts). */
  ended: EndedIngestor;
  /** The one-event path, for cancellations and patient updates. */
  ingest: VisitIngestor;
}

/** Visit-ended events per call at most (a bounded statement, and bounded memory while it runs). */
export const MAX_PER_CALL = 500;

/**
 * Ingests many events at once and answers each with its own outcome, in order, deciding exactly as
 * the one-event path would one by one in batch order. A cancellation or a patient update may touch
 * any patient, so it goes alone through the one-event path, after everything before it and before
 * everything after it; each run of visit-ended events between them goes in one call (one round
 * trip, one commit per up to MAX_PER_CALL events).
 * Rejects only when the database is unavailable (what committed before stays: a resend of it is a
 * duplicate).
 */
export function createBatchIngestor(deps: BatchIngestorDeps) {
  return async function ingestMany(events: VisitEvent[]): Promise<VisitOutcome[]> {
    const outcomes: VisitOutcome[] = new Array(events.length);
    let i = 0;
    while (i < events.length) {
      if (!isVisitEnded(events[i] as VisitEvent)) {
        outcomes[i] = await deps.ingest(events[i] as VisitEvent);
        i++;
        continue;
      }
      let end = i;
      while (end < events.length && end - i < MAX_PER_CALL && isVisitEnded(events[end] as VisitEvent)) end++;
      const done = await deps.ended(events.slice(i, end));
      done.forEach((o, k) => {
        outcomes[i + k] = o;
      });
      i = end;
    }
    return outcomes;
  };
}
export type BatchIngestor = ReturnType<typeof createBatchIngestor>;
