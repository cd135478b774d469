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
  /**
   * The queues' Redis connection: while it is not connected (Redis down, also since start-up) the
   * board answers 503 at once. BullMQ's commands wait for a connection that is not there yet.
   */
  redis?: { status: string } | undefined;
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

/**
 * What ops may do from the board (paths under /ops/queues): pause and resume, retry, clean and
 * promote. Not adding jobs or changing their data, delay or priority (a job is an invitation id that
 * ingest put there, at the time the survey rules chose; anything else could text a patient
 * unasked, or carry personal data into Redis), nor emptying or obliterating the queue, nor changing
 * the limiter's rate or concurrency (the county's config sets them).
 */
const ALLOWED_ACTIONS = [
  /^\/api\/queues\/(?:pause|resume)$/,
  /^\/api\/queues\/[^/]+\/(?:pause|resume|promote)$/,
  /^\/api\/queues\/[^/]+\/(?:retry|clean)\/[^/]+$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/(?:retry|clean|promote)$/,
];
const isAllowedAction = (url: string) => {
  const path = (url.split('?')[0] as string).slice(QUEUE_BOARD_PATH.length);
  return ALLOWED_ACTIONS.some((pattern) => pattern.test(path));
};

/** The board's list of queues (`GET …/api/queues`) with every queue read-only; any other answer as it is. */
function asReadOnly(url: string, payload: string): string {
  if ((url.split('?')[0] as string) !== `${QUEUE_BOARD_PATH}/api/queues`) return payload;
  try {
    const body = JSON.parse(payload) as { queues?: Array<Record<string, unknown>> };
    for (const queue of body.queues ?? []) Object.assign(queue, { readOnlyMode: true, allowRetries: false, allowCompletedRetries: false });
    return JSON.stringify(body);
  } catch {
    return payload;
  }
}

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

const REDIS_DOWN_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Kaiku queues: Redis unavailable</title>
<h1>Redis is unavailable</h1>
<p>The queue board can't reach Redis, so it can't show or change the queue. Reports and the dashboard
go on working. Reload this page when Redis is back (see README, Operations).</p></html>`;

/** Whether Redis answers one small read within the connection's command timeout. */
async function redisAnswers(queue: Queue): Promise<boolean> {
  try {
    await queue.isPaused();
    return true;
  } catch {
    return false;
  }
}

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
      if (READ_METHODS.has(request.method)) return;
      if (level !== 'act') {
        await sendProblem(reply, 403, 'Forbidden', 'Retrying, cleaning and other actions on jobs need CONSOLE_OPS_TOKEN');
        return reply;
      }
      if (!isAllowedAction(request.url)) {
        await sendProblem(
          reply,
          403,
          'Forbidden',
          'Kaiku lets the board pause and resume the queue and retry, clean or promote jobs only: jobs come from ingest, and the config sets the rate',
        );
        return reply;
      }
    });
    scope.addHook('preHandler', async (request, reply) => {
      if (!deps.redis || deps.redis.status === 'ready') return;
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      if (request.method === 'GET' && (request.headers.accept ?? '').includes('text/html')) {
        reply.code(503).type('text/html; charset=utf-8').send(REDIS_DOWN_PAGE);
      } else {
        await sendProblem(reply, 503, 'Service unavailable', 'Redis is unavailable; retry later.');
      }
      return reply;
    });
    scope.addHook('onSend', async (request, reply, payload) => {
      reply.header('content-security-policy', CSP);
      reply.header('cache-control', 'no-store');
      // The board answers its own errors with a 500; Redis down or hung is an outage, not a bug.
      if (reply.statusCode === 500 && typeof payload === 'string' && isRedisUnavailable({ message: boardErrorMessage(payload) })) {
        reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).type('application/problem+json');
        return JSON.stringify({
          type: 'about:blank',
          title: 'Service unavailable',
          status: 503,
          // A hung Redis may still run a command it was sent: an action is not known to have failed.
          detail: READ_METHODS.has(request.method)
            ? 'Redis is unavailable; retry later.'
            : 'Redis did not answer in time: the action may still take effect when Redis answers again. Look at the queue before trying it again.',
        });
      }
      // The board's page names a font on Google's servers; the CSP blocks it, but the page is to
      // name nothing from outside the server (an accessibility probe): the link goes.
      if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        payload = payload.replace(/<link[^>]*\/\/fonts\.(?:googleapis|gstatic)\.com[^>]*>\s*/g, '');
      }
      // One board serves both tokens: to a viewer its queues are read-only, so that the page shows
      // no action buttons that would only be refused (it showed them, and said nothing of the 403).
      if (deps.opsToken && reply.statusCode === 200 && typeof payload === 'string' && access(request, deps) === 'view') {
        return asReadOnly(request.url, payload);
      }
      return payload;
    });
    // The board's page says nothing when its API can't reach Redis ("No queues to display"): the
    // page itself answers 503 and says why while Redis does not answer.
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'GET' || (request.url.split('?')[0] as string).startsWith(`${QUEUE_BOARD_PATH}/api/`)) return;
      if (!(request.headers.accept ?? '').includes('text/html')) return;
      if (await redisAnswers(queues[0] as Queue)) return;
      reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).type('text/html; charset=utf-8').send(REDIS_DOWN_PAGE);
      return reply;
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
