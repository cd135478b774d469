import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Bindings, type ChildLoggerOptions, type Logger, type LoggerOptions, pino } from 'pino';

/** Keys that may carry personal data or secrets, wherever they sit in a log object. */
export const REDACT_KEYS = [
  'phone',
  'phoneNumber',
  'phones',
  'mobilePhones',
  'to',
  'from',
  'From',
  'To',
  'body',
  'Body',
  'text',
  'comment',
  'personalId',
  'hetu',
  'patient',
  'birthDate',
  'token',
  'authToken',
  'password',
];

/** pino paths: each key at the top level and up to two levels down; plus secret headers. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  ...REDACT_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

interface LoggedRequest {
  method?: string;
  url?: string;
  id?: string;
  routeOptions?: { url?: string | undefined };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A run of five digits or more (a phone number, a hetu's date), split by spaces, dashes or %-escapes or not. */
const LONG_NUMBER = /\d(?:[\s\-+.]|%[0-9a-f]{2})*\d(?:[\s\-+.]|%[0-9a-f]{2})*\d(?:[\s\-+.]|%[0-9a-f]{2})*\d(?:[\s\-+.]|%[0-9a-f]{2})*\d/i;
/** A first path segment kept in the log when no route matched: a plain lowercase word (`wp-admin`, `v2`). */
const PLAIN_SEGMENT = /^[a-z][a-z0-9_-]{0,30}$/;

/**
 * The path without its query string, with nothing a caller wrote in it that could be personal
 * data: for a route, its own segments as they are and each parameter's value only when it is a
 * UUID (Kaiku's ids), else the parameter's name (`/v1/twilio/status/:invitationId`); for a path
 * that matched no route (anyone's text: a scanner's, `/patients/010181-900C/+358401110070` or
 * `/u/maija@example.fi`), its first segment when it is a plain word, digits as `#`, and `*` for
 * every other segment. The path keeps its shape for whoever reads the logs.
 */
function pathForLog(req: LoggedRequest): string | undefined {
  const path = req.url?.split('?')[0];
  if (path === undefined || req.routeOptions === undefined) return path;
  const segments = path.split('/');
  const template = req.routeOptions.url?.split('/');
  if (!template) {
    return segments
      .map((segment, i) => (segment === '' ? '' : i === 1 && PLAIN_SEGMENT.test(segment) ? segment.replace(/\d/g, '#') : '*'))
      .join('/');
  }
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const own = template[i];
    if (own === undefined || own === '*') {
      out.push('*');
      break;
    }
    out.push(own.startsWith(':') && !UUID.test(segment) ? own : segment);
  }
  return out.join('/');
}

/** A hex trace or request id (nginx's `$request_id`, W3C trace ids) with a letter and no long number in it. */
const HEX_ID = /^(?=[0-9a-f]*[a-f])[0-9a-f]{16,64}$/i;

/**
 * Fastify's request id: the caller's `x-request-id` when it is a UUID, or a hex id holding no run
 * of five digits (so that a proxy's id ties the lines together), else one of our own, a UUID. Any
 * text could come in that header, and the id is on every log line of the request (a probe sent a
 * hetu and a phone number in it, then hid them in hex).
 */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && (UUID.test(given) || (HEX_ID.test(given) && !LONG_NUMBER.test(given)))) return given;
  return randomUUID();
}

export function loggerOptions(level: string, service: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Never log query strings or bodies: only method and path.
      req: (req: LoggedRequest) => ({ id: req.id, method: req.method, path: pathForLog(req) }),
    },
  };
}

/**
 * A service's logger: JSON lines on stdout, written synchronously. When nobody reads stdout any
 * more (the terminal or the process that started it is gone: EPIPE), logging stops instead of
 * retrying the write for ever, which held the process past SIGTERM.
 */
export function createServiceLogger(level: string, service: string): Logger {
  const stdout = pino.destination({ dest: 1, sync: true });
  stdout.on('error', () => stdout.destroy());
  return pino(loggerOptions(level, service), stdout);
}

type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LevelAware = FastifyBaseLogger & Pick<Logger, 'isLevelEnabled'>;

/** Makes the child on the first call that would write, then hands every call to it. */
class LazyChild {
  readonly #parent: LevelAware;
  readonly #bindings: Bindings;
  #real: FastifyBaseLogger | null = null;

  constructor(parent: LevelAware, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }
  #made(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings);
    return this.#real;
  }
  #log(level: LevelName, args: unknown[]) {
    if (this.#real || this.#parent.isLevelEnabled(level)) (this.#made()[level] as (...a: unknown[]) => void)(...args);
  }
  get level(): string {
    return (this.#real ?? this.#parent).level;
  }
  set level(level: string) {
    this.#made().level = level;
  }
  fatal(...args: unknown[]) {
    this.#log('fatal', args);
  }
  error(...args: unknown[]) {
    this.#log('error', args);
  }
  warn(...args: unknown[]) {
    this.#log('warn', args);
  }
  info(...args: unknown[]) {
    this.#log('info', args);
  }
  debug(...args: unknown[]) {
    this.#log('debug', args);
  }
  trace(...args: unknown[]) {
    this.#log('trace', args);
  }
  silent() {}
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, opts);
  }
}

/**
 * A child of `logger` with these bindings, made only when something is logged at an enabled level.
 * Making a pino child runs the redaction over its bindings (about a fifth of everything ingest
 * allocated at `LOG_LEVEL=warn`, with a child per request); most requests and jobs log nothing at
 * `warn`. When it is made, it is the child `logger.child(bindings)` would have been.
 */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings): FastifyBaseLogger {
  const parent = logger as Partial<LevelAware>;
  if (typeof parent.isLevelEnabled !== 'function') return logger.child(bindings);
  return new LazyChild(logger as LevelAware, bindings) as unknown as FastifyBaseLogger;
}

/**
 * Fastify's per-request logger (its `childLoggerFactory`): a lazy child. A child with options of
 * its own (a route's `logLevel`) is made at once, as before.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return Object.keys(opts).length > 0 ? logger.child(bindings, opts) : lazyChildLogger(logger, bindings);
}
