import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { lazyRequestLogger, requestIdOf } from './logger.ts';

/** An RFC 9457 problem the client can act on. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  /** What the log names as the field to blame, when not the answer's own (a caller's unknown key). */
  readonly loggedField: string | undefined;
  constructor(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}, options: { loggedField?: string } = {}) {
    super(detail ?? title);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.extra = extra;
    this.loggedField = options.loggedField;
  }
}

/** Seconds a client is asked to wait (`Retry-After`) before it tries a 503 again. */
export const RETRY_AFTER_SECONDS = 5;

/** A field's name as it may be logged: our own names only (a value or a caller's key is never one). */
const FIELD_NAME = /^[\w.()[\]-]{1,80}$/;

/** The field a problem blames (its detail may quote the value sent, so it is never logged). */
function blamedField(extra: Record<string, unknown>): string | undefined {
  const first = Array.isArray(extra.errors) ? (extra.errors[0] as { field?: unknown } | undefined) : undefined;
  const field = typeof extra.field === 'string' ? extra.field : first?.field;
  return typeof field === 'string' ? field : undefined;
}

/**
 * One `request refused` line per 4xx answer, for whoever wires a record system in: the status, the
 * title and the field to blame, never the detail (it may quote what was sent). The field only when
 * it reads as a field's name and has no run of five digits.
 */
export function logRefusal(reply: FastifyReply, status: number, title: string, field?: string) {
  if (status < 400 || status >= 500) return;
  const named = field !== undefined && FIELD_NAME.test(field) && !/\d{5}/.test(field);
  reply.request.log.info({ status, title, ...(named ? { field } : {}) }, 'request refused');
}

/** `loggedField`: what the log names as the field to blame (default: the problem's own `field`). */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
  loggedField = blamedField(extra),
) {
  if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  logRefusal(reply, status, title, loggedField);
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
    if (error instanceof HttpProblem) {
      return sendProblem(reply, error.status, error.title, error.message, error.extra, error.loggedField);
    }
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

/**
 * Fastify's own refusals before a route runs (a broken %-escape in the path, an over-long path
 * parameter), as problems like every other error; the path itself is not echoed.
 */
export function problemFrameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 400;
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is longer than allowed'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the path is not a valid URL (a broken %-escape)'
        : 'the request could not be routed';
  return sendProblem(reply, status, status === 414 ? 'URI too long' : 'Bad request', detail);
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers over the size limit, a
 * malformed request line, a client too slow to send its headers): a problem, then the connection
 * closes, as Fastify's own handler does with a plain JSON body.
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers (or the URL) are larger than allowed']
        : [400, 'the request is not valid HTTP'];
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The Fastify options every Kaiku app starts from: its logger, lazy request loggers, problems for what Fastify and Node refuse. */
export function kaikuFastifyOptions(logger: unknown) {
  return {
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: lazyRequestLogger,
    // The caller's x-request-id only when it can hold nothing personal (see requestIdOf).
    requestIdHeader: false as const,
    genReqId: requestIdOf,
    frameworkErrors: problemFrameworkErrors,
    clientErrorHandler: problemClientErrorHandler,
    // A request that comes on an open connection while the server closes is answered, not refused
    // with a 503: Twilio does not send a webhook again, so a refused answer would be lost.
    return503OnClosing: false,
  };
}
