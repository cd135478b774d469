import { type VisitEvent, visitEventSchema } from '@kaiku/core';
import { HttpProblem, sendProblem, zodProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { authenticatedSource } from '../auth.ts';
import type { IngestPipeline } from '../pipeline.ts';
import type { VisitIngestor } from '../visits/ingest-visit.ts';
import type { RejectedOutcome, VisitOutcome } from '../visits/outcome.ts';
import { jsonUnlessXml } from './json-body.ts';

export const MAX_BATCH = 1000;

interface VisitsRouteDeps {
  ingest: VisitIngestor;
  ingestMany: (events: VisitEvent[]) => Promise<VisitOutcome[]>;
  /** Counts and logs an event the schema refused (the pipeline's `refused`). */
  refused: IngestPipeline['refused'];
  tokens: Map<string, string>;
}

/** `POST /v1/visits`: one canonical VisitEvent or an array of up to 1,000, answered in order. */
export function registerVisitsRoute(app: FastifyInstance, deps: VisitsRouteDeps) {
  app.register(async (scope) => {
    // JSON under any label (application/json, text/plain, or curl's form default), as the source endpoints take theirs.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, jsonUnlessXml(scope, 'XML is not taken: send the events as application/json'));
    registerRoute(scope, deps);
  });
}

function registerRoute(app: FastifyInstance, deps: VisitsRouteDeps) {
  app.post('/v1/visits', async (request, reply) => {
    const source = authenticatedSource(request, deps.tokens);
    const body = request.body;
    const batch = Array.isArray(body);
    const items: unknown[] = batch ? body : [body];
    if (items.length === 0) throw new HttpProblem(400, 'Invalid request', 'the array is empty');
    if (items.length > MAX_BATCH) throw new HttpProblem(413, 'Payload too large', `at most ${MAX_BATCH} visits per request`);

    const parsed = items.map((item) => visitEventSchema.safeParse(item));
    if (!batch) {
      const only = parsed[0] as (typeof parsed)[number];
      if (!only.success) {
        deps.refused(source, rejectedBySchema(only.error, body), (body as { kind?: unknown } | null)?.kind);
        const problem = zodProblem(only.error, 'Invalid visit event');
        return sendProblem(reply, 400, problem.title, problem.message, { ...rejectedBySchema(only.error, body), ...problem.extra });
      }
      if (only.data.source !== source) {
        throw new HttpProblem(403, 'Forbidden', `this token is for source "${source}", not "${only.data.source}"`);
      }
    } else {
      const foreign = parsed.findIndex((p) => p.success && p.data.source !== source);
      if (foreign >= 0) throw new HttpProblem(403, 'Forbidden', `item ${foreign}: this token is for source "${source}"`);
    }
    let results: VisitOutcome[];
    if (!batch) results = [await deps.ingest((parsed[0] as { data: VisitEvent }).data)];
    else {
      const valid = parsed.flatMap((p) => (p.success ? [p.data] : []));
      const outcomes = valid.length ? await deps.ingestMany(valid) : [];
      let next = 0;
      results = parsed.map((p, i): VisitOutcome => {
        if (p.success) return outcomes[next++] as VisitOutcome;
        const rejected = rejectedBySchema(p.error, items[i]);
        deps.refused(source, rejected, (items[i] as { kind?: unknown } | null)?.kind);
        return rejected;
      });
    }
    if (!batch) {
      const only = results[0] as VisitOutcome;
      if (only.outcome === 'rejected') return sendProblem(reply, 400, 'Invalid visit event', only.error, { ...only });
      return reply.code(only.outcome === 'scheduled' ? 201 : 200).send(only);
    }
    return reply.code(200).send({ results });
  });
}

/**
 * The `rejected` outcome of an event the schema refused: every mistake, the first one's field, and
 * the visit id when the item has a readable one, as the other outcomes have.
 */
function rejectedBySchema(error: z.ZodError, item: unknown): RejectedOutcome {
  const first = error.issues[0];
  const visitId = (item as { visitId?: unknown } | null)?.visitId;
  return {
    outcome: 'rejected',
    ...(typeof visitId === 'string' && visitId.trim() && !error.issues.some((i) => i.path[0] === 'visitId') ? { visitId } : {}),
    error: error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; '),
    ...(first?.path.length ? { field: first.path.join('.') } : {}),
  };
}
