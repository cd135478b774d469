import { commonEnv, DEV_TOKEN_MESSAGE, DEV_TOKENS, drainEnv, type Env, keysEnv, parseServiceConfig, port } from '@kaiku/config';
import { z } from 'zod';

/** A source's name, as a canonical event's `source` must be written. */
const SOURCE = /^[a-z0-9][a-z0-9-]{0,63}$/u;

/** `INGEST_TOKENS` = `source:token,source:token` → token → source; an entry no request could use is refused. */
const ingestTokens = (production: boolean) =>
  z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const tokens = new Map<string, string>();
      const pairs = raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      for (const [n, pair] of pairs.entries()) {
        const i = pair.indexOf(':');
        if (i <= 0 || i === pair.length - 1) {
          // Not echoed: the entry holds a secret.
          ctx.addIssue({ code: 'custom', message: `entry ${n + 1} is not source:token (a source, a colon, its token)` });
          continue;
        }
        const [source, token] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
        // Each a start-up error, not a source that would be refused on every request.
        if (!SOURCE.test(source)) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${n + 1}: the source must be lower-case letters, digits and dashes (as events name it)`,
          });
        } else if (/[:;]/u.test(token)) {
          ctx.addIssue({ code: 'custom', message: `entry ${n + 1}: the token holds ':' or ';' (entries are separated by ',')` });
        } else if (production && DEV_TOKENS.has(token)) {
          ctx.addIssue({ code: 'custom', message: `entry ${n + 1}: its token ${DEV_TOKEN_MESSAGE}` });
        } else if (tokens.has(token)) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${n + 1}: its token is also ${tokens.get(token)}'s (one token names one source)`,
          });
        } else tokens.set(token, source);
      }
      return tokens;
    });

export function loadIngestConfig(env: Env) {
  const schema = z.object({
    ...commonEnv,
    ...keysEnv(env),
    ...drainEnv(env),
    INGEST_PORT: port(3001),
    MLLP_PORT: port(2575),
    INGEST_TOKENS: ingestTokens(env.NODE_ENV === 'production'),
    OUTBOX_POLL_MS: z.coerce.number().int().positive().default(500),
    /** How often the outbox reconciler checks that Redis still has its marker (lost data → re-enqueue). */
    OUTBOX_RECONCILE_MS: z.coerce.number().int().positive().default(5000),
    MLLP_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
    MLLP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1000),
    /** MSH-11 processing ids taken: P (production) by default; a test Kaiku beside a training Lifecare takes T. */
    LIFECARE_PROCESSING_IDS: z
      .string()
      .default('P')
      .transform((raw) =>
        raw
          .split(',')
          .map((p) => p.trim().toUpperCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(['P', 'T', 'D'], { message: 'each one of P, T, D (comma-separated)' })).min(1, 'name at least one of P, T, D')),
  });
  return parseServiceConfig(schema, env);
}
export type IngestConfig = ReturnType<typeof loadIngestConfig>;
