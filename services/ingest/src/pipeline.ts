import type { KaikuConfig } from '@kaiku/config';
import { type Keys, VISIT_EVENT_KINDS, type VisitEvent } from '@kaiku/core';
import { createGroupCommit, type Pool } from '@kaiku/db';
import type { Logger } from 'pino';
import { createLifecareHl7Handler } from './adapters/lifecare-hl7.handler.ts';
import { createVisitIngestor, type VisitIngestor } from './visits/ingest-visit.ts';
import { createBatchIngestor } from './visits/ingest-visits-batch.ts';
import { createEndedIngestor } from './visits/ingest-visits-ended.ts';
import type { RejectedOutcome, VisitOutcome } from './visits/outcome.ts';
import { countOutcome } from './visits/outcome-metrics.ts';
import { protectedVisitId, protectIds } from './visits/protect-ids.ts';

/** The kinds a refused event's log line may name (anything else it says is the sender's text). */
const VISIT_KINDS = new Set<string>(VISIT_EVENT_KINDS);

export interface IngestPipelineDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  logger: Logger;
  now?: () => Date;
  /** After a commit that wrote an outbox row (the relay can move it now). */
  onCommitted?: () => void;
  /** After a commit that cancelled invitations (their queued jobs can go). */
  onCancelled?: (invitationIds: string[]) => void;
  /** MSH-11 values the Lifecare adapter takes (LIFECARE_PROCESSING_IDS; default P). */
  hl7ProcessingIds?: readonly string[];
}

/** The canonical ingestor and the adapters on top of it; shared by the HTTP app and the MLLP listener. */
export function createIngestPipeline(deps: IngestPipelineDeps) {
  const visitIngestor = createVisitIngestor(deps);
  const endedIngestor = createEndedIngestor(deps);
  const batchIngestor = createBatchIngestor({ ended: endedIngestor, ingest: visitIngestor });
  // Group commit: concurrent events (MLLP connections, HTTP requests) share one call and one commit
  // when they pile up, through the batch path (a group of visit-ended events is one round trip:
  // 250 stay under its MAX_PER_CALL), decided as one by one in arrival order. Two groups in
  // flight: one commits while the next gathers (with four, MLLP's ten connections went mostly one
  // by one). A lone event waits up to 1 ms for the ones that come with it: MLLP senders keep one
  // message in flight each, so without it the first message after a commit went alone and the
  // rest waited for it. The wait ends as soon as every sender seen at once is back
  // (gatherUntilAllBack), not after the whole 1 ms.
  const grouped = createGroupCommit<VisitEvent, VisitOutcome>({
    runOne: visitIngestor,
    run: batchIngestor,
    inFlight: 2,
    maxGroup: 250,
    gatherMs: 1,
    gatherUntilAllBack: true,
  });
  // One line per visit event at info (the outcome an integration engineer looks for; ids only,
  // and for a rejection only the field to blame: its message may quote the value).
  const visitLog = deps.logger.child({ part: 'visits' });
  const record = (event: { source: string; kind?: string | undefined; visitId?: string | undefined }, outcome: VisitOutcome) => {
    countOutcome(event.source, outcome.outcome, outcome.outcome === 'skipped' ? outcome.reason : undefined);
    if (!visitLog.isLevelEnabled('info')) return;
    visitLog.info(
      {
        source: event.source,
        kind: event.kind,
        visitId: event.visitId,
        outcome: outcome.outcome,
        ...(outcome.outcome === 'skipped' ? { reason: outcome.reason } : {}),
        ...(outcome.outcome === 'scheduled' ? { invitationId: outcome.invitationId } : {}),
        ...(outcome.outcome === 'rejected' ? { field: outcome.field } : {}),
        // a cancel that came after the text (a support desk read `cancelled` as "no text went")
        ...(outcome.outcome === 'cancelled'
          ? { textSent: outcome.textSent, textInFlight: outcome.textInFlight, visitUnknown: outcome.visitUnknown }
          : {}),
      },
      'visit event',
    );
  };
  // The sender's own visit id in the answer, whatever was stored (see protectIds).
  const answerWith = (given: VisitEvent, outcome: VisitOutcome): VisitOutcome =>
    given.visitId !== undefined && 'visitId' in outcome && outcome.visitId !== undefined ? { ...outcome, visitId: given.visitId } : outcome;
  const ingest: VisitIngestor = async (given) => {
    const event = protectIds(given, deps.keys);
    const outcome = await grouped(event);
    record(event, outcome);
    if (outcome.outcome === 'scheduled') deps.onCommitted?.();
    return answerWith(given, outcome);
  };
  /** Many events at once (set-based where it can be); outcomes in order. */
  const ingestMany = async (given: VisitEvent[]): Promise<VisitOutcome[]> => {
    const events = given.map((e) => protectIds(e, deps.keys));
    const stored = await batchIngestor(events);
    const outcomes = stored.map((o, i) => answerWith(given[i] as VisitEvent, o));
    for (const [i, event] of events.entries()) record(event, stored[i] as VisitOutcome);
    if (outcomes.some((o) => o.outcome === 'scheduled')) deps.onCommitted?.();
    return outcomes;
  };
  /**
   * An event refused before it reached the ingestor (the schema, or a FHIR entry that can't be
   * mapped): counted and logged as the others, its visit id protected as a stored one would be.
   */
  const refused = (source: string, outcome: RejectedOutcome, kind?: unknown) =>
    record(
      {
        source,
        ...(typeof kind === 'string' && VISIT_KINDS.has(kind) ? { kind } : {}),
        ...(outcome.visitId !== undefined ? { visitId: protectedVisitId(outcome.visitId, deps.keys) } : {}),
      },
      outcome,
    );
  const handleHl7 = createLifecareHl7Handler({
    ingest,
    timeZone: deps.kaiku.timezone,
    logger: deps.logger.child({ part: 'lifecare-hl7' }),
    ...(deps.hl7ProcessingIds ? { processingIds: deps.hl7ProcessingIds } : {}),
  });
  return { ingest, ingestMany, refused, handleHl7 };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
