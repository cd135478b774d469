import { commonEnv, type Env, keysEnv, loadKaikuConfig, parseEnv, port } from '@kaiku/config';
import { z } from 'zod';

/** `INGEST_TOKENS` = `source:token,source:token` → token → source. */
const ingestTokens = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const tokens = new Map<string, string>();
    for (const pair of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const i = pair.indexOf(':');
      if (i <= 0 || i === pair.length - 1) {
        ctx.addIssue({ code: 'custom', message: `"${pair.slice(0, 20)}…" is not source:token` });
        continue;
      }
      tokens.set(pair.slice(i + 1), pair.slice(0, i));
    }
    return tokens;
  });

export function loadIngestConfig(env: Env) {
  const schema = z.object({
    ...commonEnv,
    ...keysEnv(env),
    INGEST_PORT: port(3001),
    MLLP_PORT: port(2575),
    INGEST_TOKENS: ingestTokens,
    OUTBOX_POLL_MS: z.coerce.number().int().positive().default(500),
    /** How often the outbox reconciler checks that Redis still has its marker (lost data → re-enqueue). */
    OUTBOX_RECONCILE_MS: z.coerce.number().int().positive().default(5000),
    MLLP_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  });
  const parsed = parseEnv(schema, env);
  return { ...parsed, kaiku: loadKaikuConfig(parsed.KAIKU_CONFIG) };
}
export type IngestConfig = ReturnType<typeof loadIngestConfig>;
