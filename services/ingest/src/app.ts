import { isDatabaseUnavailable, schemaReadyCheck } from '@kaiku/db';
import { kaikuFastifyOptions, registerErrorHandler, registerHealthRoutes, registerMetrics } from '@kaiku/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createIngestPipeline, type IngestPipeline, type IngestPipelineDeps } from './pipeline.ts';
import { registerLifecareHl7Route } from './routes/lifecare-hl7.route.ts';
import { registerPegasosFhirRoute } from './routes/pegasos-fhir.route.ts';
import { registerVisitsRoute } from './routes/visits.route.ts';

export interface IngestAppDeps extends IngestPipelineDeps {
  redis: Redis;
  tokens: Map<string, string>;
  /** Share one pipeline with the MLLP listener; built from the deps when not given. */
  pipeline?: IngestPipeline;
}

export const BODY_LIMIT = 1024 * 1024;

/** Builds the ingest HTTP app; no listening, no timers. */
export function buildIngestApp(deps: IngestAppDeps): FastifyInstance {
  const app = Fastify({
    ...kaikuFastifyOptions(deps.logger),
    bodyLimit: BODY_LIMIT,
  });
  registerErrorHandler(app, isDatabaseUnavailable);
  const pipeline = deps.pipeline ?? createIngestPipeline(deps);
  registerMetrics(app);
  registerHealthRoutes(
    app,
    {
      postgres: schemaReadyCheck(deps.pool),
      redis: async () => void (await deps.redis.ping()),
    },
    { mayIgnore: ['redis'] },
  );
  registerVisitsRoute(app, { ingest: pipeline.ingest, ingestMany: pipeline.ingestMany, refused: pipeline.refused, tokens: deps.tokens });
  registerLifecareHl7Route(app, { handleHl7: pipeline.handleHl7, tokens: deps.tokens });
  registerPegasosFhirRoute(app, {
    ingest: pipeline.ingest,
    ingestMany: pipeline.ingestMany,
    refused: pipeline.refused,
    tokens: deps.tokens,
    timeZone: deps.kaiku.timezone,
  });
  return app;
}
