import {
  commonEnv,
  DEV_TWILIO,
  type Env,
  httpUrl,
  keysEnv,
  parseServiceConfig,
  port,
  twilioEnv,
  unsetIfEmpty,
  withDevTwilioDefaults,
} from '@kaiku/config';
import { z } from 'zod';

export function loadSenderConfig(rawEnv: Env) {
  const env = withDevTwilioDefaults(rawEnv);
  /** Who texts come from, and through which API: checked together below. */
  const twilioSender = {
    // An empty variable is unset (compose passes each through, empty when not given).
    TWILIO_MESSAGING_SERVICE_SID: z.preprocess(
      unsetIfEmpty,
      z
        .string()
        .regex(/^MG[0-9a-fA-F]{32}$/, 'MG followed by 32 hex digits')
        .optional(),
    ),
    TWILIO_FROM: z.preprocess(unsetIfEmpty, z.string().min(1).optional()),
    // Empty is unset (Twilio's own), as for the sender settings above.
    TWILIO_API_BASE_URL: z.preprocess(unsetIfEmpty, httpUrl.optional()),
    /** An alphanumeric sender ID can't receive replies; refuse it unless this is set. */
    SENDER_ALLOW_ALPHANUMERIC: z.stringbool().default(false),
  };
  const schema = z
    .object({
      ...commonEnv,
      ...keysEnv(env),
      ...twilioEnv,
      ...twilioSender,
      SENDER_PORT: port(3002),
      PUBLIC_BASE_URL: httpUrl,
      /**
       * Postgres connections of this process. Each job holds one only for a single short statement
       * at a time (the claim, then the result), so a few serve many concurrent sends; it does not
       * grow with `sending.concurrency`. Capped at start-up by what the server allows.
       */
      SENDER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    })
    .superRefine(
      (e, ctx) => {
        if (!e.TWILIO_MESSAGING_SERVICE_SID && !e.TWILIO_FROM) {
          ctx.addIssue({ code: 'custom', path: ['TWILIO_FROM'], message: 'set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM' });
        }
        // Real Twilio (no other base URL, or Twilio's own) with sms-sim's number: a number not ours.
        const realTwilio = !e.TWILIO_API_BASE_URL || /(^|\.)twilio\.com$/i.test(URL.parse(e.TWILIO_API_BASE_URL)?.hostname ?? '');
        if (realTwilio && !e.TWILIO_MESSAGING_SERVICE_SID && e.TWILIO_FROM === DEV_TWILIO.TWILIO_FROM) {
          ctx.addIssue({
            code: 'custom',
            path: ['TWILIO_FROM'],
            message: `is sms-sim's development number (${DEV_TWILIO.TWILIO_FROM}), not one of the county's: set its Twilio number or TWILIO_MESSAGING_SERVICE_SID`,
          });
        }
        if (e.TWILIO_FROM && /^[\d\s()-]+$/.test(e.TWILIO_FROM)) {
          const international = /^(?:00|\+)?358/.test(e.TWILIO_FROM.replace(/[\s()-]/g, ''));
          ctx.addIssue({
            code: 'custom',
            path: ['TWILIO_FROM'],
            message: international
              ? 'is not written in E.164: start it with + (+358451234567), not 00 or the bare country code'
              : 'is a number without its country code: write it in E.164, +358 and the number without its leading 0 (+358451234567)',
          });
        } else if (e.TWILIO_FROM && !/^\+[1-9]\d{6,14}$/.test(e.TWILIO_FROM) && !e.SENDER_ALLOW_ALPHANUMERIC) {
          ctx.addIssue({
            code: 'custom',
            path: ['TWILIO_FROM'],
            message:
              'is not an E.164 number: an alphanumeric sender ID cannot receive replies, so patients could not answer. Use a two-way number or messaging service, or set SENDER_ALLOW_ALPHANUMERIC=true to send anyway',
          });
        }
      },
      // Also when another variable is wrong, so that every mistake is named at the first start (a
      // regression probe: a bad TWILIO_FROM was named only after SENDER_DB_POOL_SIZE was mended).
      { when: (payload) => !payload.issues.some((issue) => String(issue.path?.[0]) in twilioSender) },
    );
  return parseServiceConfig(schema, env);
}
export type SenderConfig = ReturnType<typeof loadSenderConfig>;
