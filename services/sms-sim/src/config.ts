import { commonEnv, type Env, parseEnv, port, withDevTwilioDefaults } from '@kaiku/config';
import { z } from 'zod';
import { faultsFromEnv } from './faults.ts';
import { DEFAULT_MAX_MESSAGES } from './message-store.ts';

export function loadSimConfig(rawEnv: Env) {
  const env = withDevTwilioDefaults(rawEnv);
  return parseEnv(
    z.object({
      HOST: commonEnv.HOST,
      LOG_LEVEL: commonEnv.LOG_LEVEL,
      SMS_SIM_PORT: port(3010),
      TWILIO_ACCOUNT_SID: z.string().min(1),
      TWILIO_AUTH_TOKEN: z.string().min(1),
      /** The replies service's public URL: inbound webhooks are signed over it. */
      PUBLIC_BASE_URL: z.url(),
      /** Where to deliver inbound webhooks when that differs from PUBLIC_BASE_URL (default: the same). */
      SMS_SIM_REPLIES_URL: z.url().optional(),
      /** The number patients reply to (the messages' To). */
      SMS_SIM_NUMBER: z.string().default(env.TWILIO_FROM ?? '+358451234567'),
      /** Milliseconds between the callbacks: from create to `sent`, and from `sent` to `delivered`. */
      SMS_SIM_CALLBACK_DELAY_MS: z.coerce.number().int().min(0).default(50),
      /** Fault rules active from the start, as JSON (see faults.ts), e.g. [{"kind":"rate-limit","times":3}]. */
      SMS_SIM_FAULTS: z
        .string()
        .optional()
        .superRefine((v, ctx) => {
          try {
            faultsFromEnv(v, undefined);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: `is not a JSON fault rule or list of rules: ${(error as Error).message}` });
          }
        }),
      /**
       * How many messages are kept for `GET /sim/messages` and the Messages API's list; the oldest
       * is forgotten when one more arrives (its status callbacks still go out). Bounds the memory
       * of a long run (about 1 kB a message).
       */
      SMS_SIM_MAX_MESSAGES: z.coerce.number().int().min(1).default(DEFAULT_MAX_MESSAGES),
      /** Numbers whose messages are reported `undelivered` (ErrorCode 30003), comma-separated. */
      SMS_SIM_UNDELIVERED_NUMBERS: z.string().optional(),
    }),
    env,
  );
}
export type SimConfig = ReturnType<typeof loadSimConfig>;
