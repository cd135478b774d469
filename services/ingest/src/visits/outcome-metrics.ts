import { kaikuMetrics } from '@kaiku/http';
import type { VisitOutcome } from './outcome.ts';

/** Counts one visit event's outcome (and its skip reason) for `/metrics`. */
export function countOutcome(source: string, outcome: VisitOutcome['outcome'], reason?: string) {
  kaikuMetrics.visitEvents.inc({ source, outcome });
  if (outcome === 'skipped' && reason) kaikuMetrics.visitSkips.inc({ reason });
}
