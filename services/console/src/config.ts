import { commonEnv, DEV_TOKEN_MESSAGE, DEV_TOKENS, type Env, parseServiceConfig, port, unsetIfEmpty } from '@kaiku/config';
import { z } from 'zod';

export function loadConsoleConfig(env: Env) {
  const schema = z
    .object({
      ...commonEnv,
      CONSOLE_PORT: port(3004),
      /**
       * The dashboard's session cookie is `Secure` (sent over HTTPS only): on in production, where
       * the console is reached over TLS (browsers take it over plain http from localhost too).
       */
      CONSOLE_SECURE_COOKIES: z.stringbool().default(env.NODE_ENV === 'production'),
      CONSOLE_TOKEN:
        env.NODE_ENV === 'production'
          ? z
              .string()
              .trim()
              .min(16)
              .refine((t) => !DEV_TOKENS.has(t), DEV_TOKEN_MESSAGE)
          : z.string().min(1).default('dev-console-token'),
      /** Acting on jobs in the queue board (retry, clean …); unset: the board is read-only. */
      CONSOLE_OPS_TOKEN: z.preprocess(
        unsetIfEmpty,
        z
          .string()
          .trim()
          .min(env.NODE_ENV === 'production' ? 16 : 1)
          .refine((t) => env.NODE_ENV !== 'production' || !DEV_TOKENS.has(t), DEV_TOKEN_MESSAGE)
          .optional(),
      ),
    })
    // One token for both roles would give every reader of the reports the job actions.
    .refine((e) => e.CONSOLE_OPS_TOKEN === undefined || e.CONSOLE_OPS_TOKEN !== e.CONSOLE_TOKEN, {
      path: ['CONSOLE_OPS_TOKEN'],
      message: 'must differ from CONSOLE_TOKEN (it lets its holder act on jobs; CONSOLE_TOKEN only looks)',
    });
  return parseServiceConfig(schema, env);
}
export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;
