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

/**
 * The path without its query string, with what could be personal data left out: in a path that
 * matched no route (anyone's text: a scanner's, or `/patients/010181-900C/+358401110070`, or
 * `/u/maija@example.fi/Testinen%20Maija`) only its first segment is kept, its digits as `#`, and
 * each later segment is `*`; in a matched route, the digits of segments that hold a long number and
 * are no UUID (`/v1/twilio/status/+358401234567`). The path keeps its shape for whoever reads the
 * logs; ids stay as they are.
 */
function pathForLog(req: LoggedRequest): string | undefined {
  const path = req.url?.split('?')[0];
  if (path === undefined || req.routeOptions === undefined) return path;
  if (!req.routeOptions.url) {
    return path
      .split('/')
      .map((segment, i) => (i <= 1 ? segment.replace(/\d/g, '#') : segment === '' ? '' : '*'))
      .join('/');
  }
  return path
    .split('/')
    .map((segment) => (UUID.test(segment) || !LONG_NUMBER.test(segment) ? segment : segment.replace(/\d/g, '#')))
    .join('/');
}

/** A 16- or 32-digit hex trace or span id (W3C Trace Context), with a letter in it (all digits could be a number). */
const TRACE_ID = /^(?=[0-9a-f]*[a-f])(?:[0-9a-f]{16}|[0-9a-f]{32})$/i;
/** A short word-like id with no run of five digits (a hetu's date, a phone number). */
const PLAIN_ID = /^[A-Za-z0-9._-]{1,64}$/;
let lastRequestId = 0;

/**
 * Fastify's request id: the caller's `x-request-id` when it is a UUID, a trace id or a short plain
 * id (so that a proxy's id ties the lines together), else one of our own. Any text could come in
 * that header, and the id is on every log line of the request (a probe sent a hetu and a phone
 * number in it).
 */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && (UUID.test(given) || TRACE_ID.test(given) || (PLAIN_ID.test(given) && !LONG_NUMBER.test(given)))) {
    return given;
  }
  lastRequestId = (lastRequestId + 1) % Number.MAX_SAFE_INTEGER;
  return `req-${lastRequestId.toString(36)}`;
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
