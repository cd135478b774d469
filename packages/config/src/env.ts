import { z } from 'zod';
import { ConfigError, describeIssues } from './config-error.ts';

export type Env = Record<string, string | undefined>;

/** Parses a service's environment once; throws a ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env, { reportInput: true });
  if (!result.success) throw new ConfigError('The environment', describeIssues(result.error));
  return result.data;
}

const isProduction = (env: Env) => env.NODE_ENV === 'production';

/** Fixed keys for development and tests only; production must set its own. */
const DEV_PSEUDONYM_KEY = Buffer.alloc(32, 7).toString('base64');
const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString('base64');

// Strict: Node's base64 decoder skips characters that are not base64 and stops at `=`, so a
// mangled key could still decode to 32 bytes.
const key32 = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/]{43}=?$/, '32 random bytes in base64 (openssl rand -base64 32)')
  .transform((v) => Buffer.from(v, 'base64'));

/** An empty (or blank) variable is unset: docker-compose passes each variable it names, empty when not given. */
export const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A port; an empty variable (`INGEST_PORT=`) is unset, not port 0 (which would be any free port). */
export const port = (fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).default(fallback),
  );

/**
 * An http(s) URL: `kaiku.example.fi:443` parses as a URL of the scheme `kaiku.example.fi:`, and
 * Twilio can call no other scheme.
 */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an https:// URL (http:// for a local one)' });

/** Variables every service reads. */
export const commonEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Another scheme (mysql://, a typo) would be tried as Postgres and fail later, in other words.
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// (or postgresql://) URL' })
    .default('postgres://postgres@127.0.0.1:5432/kaiku'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'a redis:// (or rediss://) URL' })
    // ioredis would send `SELECT NaN` for `/abc` and carry on in db 0.
    .refine((v) => {
      // (Only for a redis:// URL; anything else has its own message above.)
      const url = URL.parse(v);
      // ioredis also reads `?db=`, unchecked (SELECT NaN, or ignored beside a path's index).
      return !url || !/^rediss?:$/.test(url.protocol) || (/^\/?(\d{1,5})?$/.test(url.pathname) && !url.searchParams.has('db'));
    }, 'the database index is the path: redis://host:6379/2 (not ?db=), or none for db 0')
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key (`bull`); a second Kaiku sharing one Redis db, or a test, sets its own. */
  KAIKU_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('bull'),
  KAIKU_CONFIG: z.string().optional(),
  /** Where pnpm was run (pnpm sets it): a relative KAIKU_CONFIG is read from there, not from the package. */
  INIT_CWD: z.string().optional(),
};

/**
 * Ingest's and replies' graceful stop: how long a stopping service goes on answering, with /readyz
 * `stopping`, before it stops listening (drainConnections in @kaiku/http). Longer than the load
 * balancer in front takes to see /readyz; at most 5 s. The 10 s the rest of a stop may take count
 * from its end.
 */
export function drainEnv(env: Env) {
  return {
    SHUTDOWN_DRAIN_MS: z.preprocess(
      unsetIfEmpty,
      z.coerce
        .number()
        .int()
        .min(0)
        .max(5000)
        .default(isProduction(env) ? 2000 : 0),
    ),
  };
}

/** In production, not one of the development keys, which are in this file for anyone to read. */
const productionKey32 = z
  .string({
    error: (iss) => (iss.input === undefined ? 'required in production: 32 random bytes in base64 (openssl rand -base64 32)' : undefined),
  })
  .pipe(key32)
  .refine(
    (key) => ![DEV_PSEUDONYM_KEY, DEV_ENCRYPTION_KEY].includes(key.toString('base64')),
    'is a development key (published with the code): set your own (openssl rand -base64 32)',
  );

/** The pseudonym and encryption keys: required in production, fixed dev keys elsewhere. */
export function keysEnv(env: Env) {
  const prod = isProduction(env);
  return {
    KAIKU_PSEUDONYM_KEY: prod ? productionKey32 : z.string().default(DEV_PSEUDONYM_KEY).pipe(key32),
    KAIKU_ENCRYPTION_KEY: prod ? productionKey32 : z.string().default(DEV_ENCRYPTION_KEY).pipe(key32),
  };
}

/** The development tokens `scripts/kaiku start` prints and the README shows: never a production secret. */
export const DEV_TOKENS: ReadonlySet<string> = new Set(['dev-console-token', 'dev-lifecare-token', 'dev-pegasos-token', 'dev-demo-token']);
export const DEV_TOKEN_MESSAGE = 'is a development token the README publishes: set a secret one in production';

export const twilioEnv = {
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'AC followed by 32 hex digits'),
  TWILIO_AUTH_TOKEN: z.string().min(1),
};

/** Development defaults that match services/sms-sim, so `pnpm start` works with no Twilio account. */
export const DEV_TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(31)}1`,
  TWILIO_AUTH_TOKEN: 'dev-auth-token',
  TWILIO_FROM: '+358451234567',
};

/** A local service's URL in development: on HOST (loopback when it listens on every address) and its port variable. */
function localUrl(env: Env, portVariable: string, fallback: number): string {
  const host = env.HOST?.trim();
  const address = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${address}:${env[portVariable]?.trim() || fallback}`;
}

/**
 * In development, fill Twilio settings that are not set with the sms-sim defaults: sms-sim as
 * Twilio's API and the replies service as the webhooks' public URL, at the ports SMS_SIM_PORT and
 * REPLIES_PORT say (3010 and 3003 by default).
 */
export function withDevTwilioDefaults(env: Env): Env {
  if (isProduction(env)) return env;
  const filled: Env = { ...env };
  const defaults = {
    ...DEV_TWILIO,
    TWILIO_API_BASE_URL: localUrl(env, 'SMS_SIM_PORT', 3010),
    PUBLIC_BASE_URL: localUrl(env, 'REPLIES_PORT', 3003),
  };
  for (const [k, v] of Object.entries(defaults)) if (!filled[k]) filled[k] = v;
  if (!env.TWILIO_MESSAGING_SERVICE_SID && env.TWILIO_FROM === undefined) filled.TWILIO_FROM = DEV_TWILIO.TWILIO_FROM;
  return filled;
}
