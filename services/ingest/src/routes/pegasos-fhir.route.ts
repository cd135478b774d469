import { type VisitEvent, visitEventSchema } from '@kaiku/core';
import { isDatabaseUnavailable } from '@kaiku/db';
import { HttpProblem, logRefusal, RETRY_AFTER_SECONDS } from '@kaiku/http';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { inSourceTerms, SourceMessageError, sourceField } from '../adapters/adapter-error.ts';
import { PEGASOS_FIELDS, PEGASOS_SOURCE, pegasosToVisitEvents } from '../adapters/pegasos-fhir.adapter.ts';
import { requireSource } from '../auth.ts';
import type { IngestPipeline } from '../pipeline.ts';
import type { VisitIngestor } from '../visits/ingest-visit.ts';
import type { RejectedOutcome as Rejected, VisitOutcome } from '../visits/outcome.ts';
import { countOutcome } from '../visits/outcome-metrics.ts';
import { jsonUnlessXml } from './json-body.ts';

const FHIR_JSON = 'application/fhir+json';

function operationOutcome(
  issues: Array<{ code: OperationOutcomeIssue['code']; diagnostics: string; expression?: string }>,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}

/**
 * A refused visit's OperationOutcome also carries Kaiku's own outcome members (`outcome:
 * "rejected"`, `error`, `field`, `visitId` when readable), as the canonical endpoint's problem does:
 * one way to read a refusal for whoever reads all three formats. FHIR clients ignore members they
 * do not know.
 */
function withRejection(outcome: OperationOutcome, rejected: Rejected): OperationOutcome {
  return { ...outcome, ...rejected };
}

function sendOutcome(reply: FastifyReply, status: number, outcome: OperationOutcome) {
  if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  const first = outcome.issue[0];
  logRefusal(reply, status, first?.code ?? 'invalid', (outcome as { field?: string }).field ?? first?.expression?.[0]);
  return reply.code(status).type(`${FHIR_JSON}; charset=utf-8`).send(outcome);
}

const STATUS_CODE: Record<number, OperationOutcomeIssue['code']> = {
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  413: 'too-long',
  415: 'not-supported',
  503: 'transient',
};

/**
 * `POST /v1/sources/pegasos/fhir`: a FHIR R4 Bundle (collection, message, transaction) or an
 * Encounter with a contained Patient. One Encounter → its outcome (201 scheduled, 200 otherwise);
 * several → `{ results }` in bundle order. Every 4xx/5xx answer is an OperationOutcome.
 */
export function registerPegasosFhirRoute(
  app: FastifyInstance,
  deps: {
    ingest: VisitIngestor;
    ingestMany: (events: VisitEvent[]) => Promise<VisitOutcome[]>;
    /** Counts and logs an entry refused before ingest (the pipeline's `refused`). */
    refused: IngestPipeline['refused'];
    tokens: Map<string, string>;
    timeZone: string;
  },
) {
  app.register(async (scope) => {
    // FHIR JSON under any label (application/fhir+json, application/json, or curl's form default).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer' },
      jsonUnlessXml(scope, 'FHIR XML is not taken: send the resource as application/fhir+json'),
    );
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpProblem) {
        return sendOutcome(
          reply,
          error.status,
          operationOutcome([{ code: STATUS_CODE[error.status] ?? 'invalid', diagnostics: error.message }]),
        );
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: { message: error.message } }, 'database unavailable');
        return sendOutcome(
          reply,
          503,
          operationOutcome([
            {
              code: 'transient',
              diagnostics: 'temporarily unavailable: send again (a repeat of a stored visit is answered as a duplicate)',
            },
          ]),
        );
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: { name: error.name, message: error.message } }, 'fhir request failed');
      const diagnostics =
        status === 500 ? 'internal error: send again (a repeat of a stored visit is answered as a duplicate)' : error.message;
      return sendOutcome(reply, status === 500 ? 503 : status, operationOutcome([{ code: STATUS_CODE[status] ?? 'invalid', diagnostics }]));
    });
    scope.addHook('onRequest', async (request) => requireSource(request, deps.tokens, PEGASOS_SOURCE));
    scope.post('/v1/sources/pegasos/fhir', async (request, reply) => {
      let mapped: ReturnType<typeof pegasosToVisitEvents>;
      try {
        mapped = pegasosToVisitEvents(request.body, deps.timeZone);
      } catch (error) {
        if (!(error instanceof SourceMessageError)) throw error;
        countOutcome(PEGASOS_SOURCE, 'rejected');
        const code = error.kind === 'unsupported' ? 'not-supported' : 'invalid';
        const outcome = operationOutcome(error.issues.map((i) => ({ code, diagnostics: `${i.field}: ${i.message}`, expression: i.field })));
        const rejected = { outcome: 'rejected' as const, error: error.message, field: error.issues[0]?.field ?? '(body)' };
        return sendOutcome(reply, error.kind === 'unsupported' ? 422 : 400, withRejection(outcome, rejected));
      }
      const parsed = mapped.map((m) => ('error' in m ? m : { event: m.event, parsed: visitEventSchema.safeParse(m.event) }));
      const valid = parsed.flatMap((p) => ('parsed' in p && p.parsed.success ? [p.parsed.data] : []));
      // Several encounters are taken as one batch (set-based, deciding as one by one in bundle order).
      const outcomes = valid.length === 1 ? [await deps.ingest(valid[0] as VisitEvent)] : valid.length ? await deps.ingestMany(valid) : [];
      let next = 0;
      const results = parsed.map((p): VisitOutcome => {
        if ('error' in p) {
          // One encounter of several that can't be taken (not finished, no end time …): its own outcome.
          const rejected: Rejected = {
            outcome: 'rejected',
            ...(p.visitId ? { visitId: p.visitId } : {}),
            error: p.error.message,
            field: p.error.issues[0]?.field ?? p.path,
          };
          deps.refused(PEGASOS_SOURCE, rejected);
          return rejected;
        }
        const { event, parsed } = p;
        if (!parsed.success) {
          const fields = parsed.error.issues.map((i) => ({ field: sourceField(i.path.join('.'), PEGASOS_FIELDS), message: i.message }));
          const rejected: Rejected = {
            outcome: 'rejected',
            ...(event.visitId ? { visitId: event.visitId } : {}),
            error: fields.map((f) => `${f.field}: ${f.message}`).join('; '),
            field: fields[0]?.field ?? '(body)',
          };
          deps.refused(PEGASOS_SOURCE, rejected, event.kind);
          return rejected;
        }
        const outcome = outcomes[next++] as VisitOutcome;
        if (outcome.outcome !== 'rejected') return outcome;
        const { field, message } = inSourceTerms(outcome.error, outcome.field, PEGASOS_FIELDS);
        return { ...outcome, field, error: `${field}: ${message}` };
      });
      if (results.length > 1) return reply.code(200).send({ results });
      const only = results[0] as VisitOutcome;
      if (only.outcome === 'rejected') {
        const outcome = operationOutcome([{ code: 'invalid', diagnostics: only.error, ...(only.field ? { expression: only.field } : {}) }]);
        return sendOutcome(reply, 400, withRejection(outcome, only));
      }
      return reply.code(only.outcome === 'scheduled' ? 201 : 200).send(only);
    });
  });
}
