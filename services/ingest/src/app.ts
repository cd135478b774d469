import type { KaikuConfig } from '@kaiku/config';
import type { Keys } from '@kaiku/core';
import { isDatabaseUnavailable, type Pool } from '@kaiku/db';
import { registerErrorHandler, registerHealthRoutes, registerMetrics } from '@kaiku/http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { registerVisitsRoute } from './routes/visits.route.ts';
import { createVisitIngestor } from './visits/ingest-visit.ts';

export interface IngestAppDeps {
  pool: Pool;
  redis: Redis;
  kaiku: KaikuConfig;
  keys: Keys;
  tokens: Map<string, string>;
  logger: Logger;
  now?: () => Date;
  /** After a commit that wrote outbox rows. */
  onCommitted?: () => void;
  onCancelled?: (invitationIds: string[]) => void;
}

export const BODY_LIMIT = 1024 * 1024;

/** Builds the ingest HTTP app; no listening, no timers. */
export function buildIngestApp(deps: IngestAppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: BODY_LIMIT, requestIdHeader: 'x-request-id' });
  registerErrorHandler(app, isDatabaseUnavailable);
  const visitIngestor = createVisitIngestor(deps);
  const ingest: typeof visitIngestor = async (event) => {
    const outcome = await visitIngestor(event);
    if (outcome.outcome === 'scheduled') deps.onCommitted?.();
    return outcome;
  };
  registerMetrics(app);
  registerHealthRoutes(app, {
    postgres: async () => void (await deps.pool.query('SELECT 1')),
    redis: async () => void (await deps.redis.ping()),
  });
  registerVisitsRoute(app, { ingest, tokens: deps.tokens });
  return app;
}
