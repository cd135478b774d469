import type { VisitEvent } from '@kaiku/core';
import { isDatabaseUnavailable } from '@kaiku/db';
import type { VisitOutcome } from './outcome.ts';

export interface GroupedIngestDeps {
  /** One event (its own call and commit). */
  one: (event: VisitEvent) => Promise<VisitOutcome>;
  /** Many events in one call and one commit, deciding as one by one in the given order (see ingest-visits-ended.ts). */
  many: (events: VisitEvent[]) => Promise<VisitOutcome[]>;
  /**
   * Groups in flight at once (each holds one pool connection). Default 2: one group commits while
   * the next gathers; more slots mostly split the events into more, smaller commits (MLLP's ten
   * connections with one message each in flight went out mostly one by one with 4).
   */
  inFlight?: number;
  /** Largest group. Default 250. */
  maxGroup?: number;
  /**
   * How long an event that finds a free slot waits for others before its group goes, in ms.
   * Default 1: MLLP senders keep one message in flight per connection, so without it the first
   * message after a commit went alone and the rest waited for it. 0: at once.
   */
  gatherMs?: number;
}

/**
 * Group commit for events that arrive concurrently (MLLP connections, HTTP requests): an event
 * that finds a free slot waits `gatherMs` for others and goes with them (alone: through the
 * one-event path); events that arrive while every slot is busy wait and go together as one group
 * when a slot frees, sharing its round trip and its commit. Each caller still gets its own
 * outcome only after the commit that stored it. Concurrent events have no order between them; the batch decides them as one by one
 * in arrival order. If a batch fails for any reason but an unavailable database, its events are
 * retried one by one, so one bad event cannot fail the others.
 */
export function createGroupedIngest(deps: GroupedIngestDeps) {
  const inFlight = deps.inFlight ?? 2;
  const maxGroup = deps.maxGroup ?? 250;
  const gatherMs = deps.gatherMs ?? 1;
  let busy = 0;
  let gathering: NodeJS.Timeout | null = null;
  const waiting: Array<{ event: VisitEvent; resolve: (o: VisitOutcome) => void; reject: (e: unknown) => void }> = [];

  async function run(group: typeof waiting) {
    busy++;
    try {
      if (group.length === 1) {
        const only = group[0] as (typeof group)[number];
        await deps.one(only.event).then(only.resolve, only.reject);
        return;
      }
      try {
        const outcomes = await deps.many(group.map((g) => g.event));
        for (const [i, g] of group.entries()) g.resolve(outcomes[i] as VisitOutcome);
      } catch (error) {
        if (isDatabaseUnavailable(error)) for (const g of group) g.reject(error);
        else for (const g of group) await deps.one(g.event).then(g.resolve, g.reject);
      }
    } finally {
      busy--;
      if (waiting.length && !gathering) void run(waiting.splice(0, maxGroup));
    }
  }

  return function ingest(event: VisitEvent): Promise<VisitOutcome> {
    return new Promise((resolve, reject) => {
      waiting.push({ event, resolve, reject });
      if (busy >= inFlight) return; // goes when a slot frees
      if (gatherMs <= 0 || waiting.length >= maxGroup) {
        if (gathering) clearTimeout(gathering);
        gathering = null;
        void run(waiting.splice(0, maxGroup));
      } else if (!gathering) {
        gathering = setTimeout(() => {
          gathering = null;
          if (busy < inFlight && waiting.length) void run(waiting.splice(0, maxGroup));
        }, gatherMs);
      }
    });
  };
}
