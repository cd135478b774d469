import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { bearerToken, RETRY_AFTER_SECONDS, safeEqual, sendProblem } from '@kaiku/http';
import { isRedisUnavailable } from '@kaiku/queue';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const QUEUE_BOARD_PATH = '/ops/queues';

export interface QueueBoardDeps {
  /** The queues to show; without them the board is not mounted. */
  queues?: Queue[] | undefined;
  /** CONSOLE_TOKEN: may look. */
  token: string;
  /** CONSOLE_OPS_TOKEN: may also act (retry, clean, promote, pause, remove …). Unset: nobody may. */
  opsToken?: string | undefined;
}

type Access = 'none' | 'view' | 'act';

/**
 * The token a request carries: `Authorization: Bearer <token>` for scripts, or HTTP Basic with
 * the token as password (any user name), which a browser asks for once and then sends with every
 * request the board's page makes.
 */
function presentedToken(request: FastifyRequest): string | null {
  const bearer = bearerToken(request);
  if (bearer) return bearer;
  const m = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

function access(request: FastifyRequest, deps: QueueBoardDeps): Access {
  const token = presentedToken(request);
  if (!token) return 'none';
  if (deps.opsToken && safeEqual(token, deps.opsToken)) return 'act';
  if (safeEqual(token, deps.token)) return 'view';
  return 'none';
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `message` of the board's JSON error answer, or '' when the payload is something else. */
function boardErrorMessage(payload: string): string {
  try {
    const message = (JSON.parse(payload) as { message?: unknown }).message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

// The board's page asks Google for a font; a public-sector service loads nothing from outside.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The BullMQ board at /ops/queues: CONSOLE_TOKEN to look, CONSOLE_OPS_TOKEN to act. */
export function registerQueueBoard(app: FastifyInstance, deps: QueueBoardDeps) {
  const queues = deps.queues ?? [];
  if (queues.length === 0) return;
  app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const level = access(request, deps);
      if (level === 'none') {
        reply.header('www-authenticate', 'Basic realm="Kaiku queue board", charset="UTF-8"');
        await sendProblem(reply, 401, 'Unauthorized', 'Sign in with CONSOLE_TOKEN (or CONSOLE_OPS_TOKEN to act on jobs) as the password');
        return reply;
      }
      if (!READ_METHODS.has(request.method) && level !== 'act') {
        await sendProblem(reply, 403, 'Forbidden', 'Retrying, cleaning and other actions on jobs need CONSOLE_OPS_TOKEN');
        return reply;
      }
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CSP);
      reply.header('cache-control', 'no-store');
      // The board answers its own errors with a 500; Redis down or hung is an outage, not a bug.
      if (reply.statusCode === 500 && typeof payload === 'string' && isRedisUnavailable({ message: boardErrorMessage(payload) })) {
        reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).type('application/problem+json');
        return JSON.stringify({
          type: 'about:blank',
          title: 'Service unavailable',
          status: 503,
          detail: 'Redis is unavailable; retry later.',
        });
      }
      return payload;
    });
    // A completed job is a sent text: retrying it is never right (the runbook says so), so the board
    // does not offer it; the sender would refuse it anyway ('already-sent'). (The adapter reads
    // allowCompletedRetries though its declared options lack it.)
    const adapterOptions = { readOnlyMode: !deps.opsToken, allowRetries: Boolean(deps.opsToken), allowCompletedRetries: false };
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: queues.map((queue) => new BullMQAdapter(queue, adapterOptions)),
      // @bull-board/fastify declares its types against its own copy of @bull-board/api; same shape.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Kaiku queues' } },
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}
