import { commonEnv, drainEnv, type Env, httpUrl, keysEnv, parseServiceConfig, port, withDevTwilioDefaults } from '@kaiku/config';
import { z } from 'zod';

export function loadRepliesConfig(rawEnv: Env) {
  const env = withDevTwilioDefaults(rawEnv);
  const schema = z.object({
    ...commonEnv,
    ...keysEnv(env),
    ...drainEnv(env),
    REPLIES_PORT: port(3003),
    TWILIO_AUTH_TOKEN: z.string().min(1),
    /** The public URL Twilio calls; signatures are computed over it plus the path. */
    PUBLIC_BASE_URL: httpUrl,
  });
  return parseServiceConfig(schema, env);
}
export type RepliesConfig = ReturnType<typeof loadRepliesConfig>;
