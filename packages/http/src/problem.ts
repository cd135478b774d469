import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

/** An RFC 9457 problem the client can act on. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  constructor(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}) {
    super(detail ?? title);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.extra = extra;
  }
}

export function sendProblem(reply: FastifyReply, status: number, title: string, detail?: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra });
}

export function zodProblem(error: z.ZodError, title = 'Invalid request') {
  const errors = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return new HttpProblem(400, title, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/**
 * The one error handler: client mistakes → 4xx problem+json, unavailable dependencies → 503,
 * anything else → 500 without internals. `isUnavailable` classifies dependency outages.
 */
export function registerErrorHandler(app: FastifyInstance, isUnavailable: (error: unknown) => boolean = () => false) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.status, error.title, error.message, error.extra);
    if (error instanceof z.ZodError) {
      const p = zodProblem(error);
      return sendProblem(reply, p.status, p.title, p.message, p.extra);
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: { message: error.message, code: error.code } }, 'dependency unavailable');
      return sendProblem(reply, 503, 'Service unavailable', 'A dependency is unavailable; retry later.');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const title = status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : 'Bad request';
      return sendProblem(reply, status, title, error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 500, 'Internal server error');
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'Not found', `${request.method} ${request.url.split('?')[0]}`));
}
