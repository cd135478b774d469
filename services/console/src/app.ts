import type { KaikuConfig } from '@kaiku/config';
import { isDatabaseUnavailable, type Pool, schemaReadyCheck } from '@kaiku/db';
import {
  bearerToken,
  HttpProblem,
  kaikuFastifyOptions,
  registerErrorHandler,
  registerHealthRoutes,
  registerMetrics,
  safeEqual,
} from '@kaiku/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerDashboard } from './dashboard/dashboard.routes.ts';
import { registerInvitationLookup } from './ops/invitation-lookup.ts';
import { type QueueBoardDeps, registerQueueBoard } from './ops/queue-board.ts';
import { registerReportRoutes } from './routes/reports.routes.ts';

export interface ConsoleAppDeps extends Omit<QueueBoardDeps, 'token'> {
  pool: Pool;
  kaiku: KaikuConfig;
  logger: Logger;
  token: string;
  /** Mark the dashboard's session cookie Secure (served over HTTPS). */
  secureCookies?: boolean;
}

/** The staff console: reports API behind a bearer token, the dashboard behind a session cookie. No listening, no timers. */
export function buildConsoleApp(deps: ConsoleAppDeps): FastifyInstance {
  const app = Fastify({
    ...kaikuFastifyOptions(deps.logger),
  });
  registerErrorHandler(app, isDatabaseUnavailable);
  registerHealthRoutes(app, { postgres: schemaReadyCheck(deps.pool) });
  registerMetrics(app, { state: { pool: deps.pool, queues: deps.queues } });
  registerQueueBoard(app, deps);
  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const token = bearerToken(request);
      if (!token || !safeEqual(token, deps.token)) {
        reply.header('www-authenticate', 'Bearer');
        throw new HttpProblem(401, 'Unauthorized', 'Authorization: Bearer <CONSOLE_TOKEN> is required');
      }
    });
    registerReportRoutes(api, { pool: deps.pool, kaiku: deps.kaiku });
    registerInvitationLookup(api, { pool: deps.pool });
  });
  app.register(async (dashboard) => {
    registerDashboard(dashboard, { pool: deps.pool, kaiku: deps.kaiku, token: deps.token, secureCookies: deps.secureCookies ?? false });
  });
  return app;
}
