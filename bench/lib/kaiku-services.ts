import type { BenchContext } from './context.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CONSOLE_TOKEN, TOKENS, TWILIO_FROM } from './fake-visits.ts';
import { freePort, type RunningProcess, startService } from './services.ts';

export interface Ports {
  ingest: number;
  mllp: number;
  sender: number;
  replies: number;
  console: number;
  sim: number;
}

export async function allocatePorts(): Promise<Ports> {
  return {
    ingest: await freePort(),
    mllp: await freePort(),
    sender: await freePort(),
    replies: await freePort(),
    console: await freePort(),
    sim: await freePort(),
  };
}

export const urlOf = (port: number) => `http://127.0.0.1:${port}`;

/** The contract's environment for every service of one benchmark database. */
export function contractEnv(ctx: BenchContext, databaseUrl: string, ports: Ports): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: ctx.env.redisUrl,
    KAIKU_CONFIG: ctx.kaikuConfig,
    KAIKU_PSEUDONYM_KEY: Buffer.alloc(32, 11).toString('base64'),
    KAIKU_ENCRYPTION_KEY: Buffer.alloc(32, 12).toString('base64'),
    INGEST_PORT: String(ports.ingest),
    MLLP_PORT: String(ports.mllp),
    INGEST_TOKENS: `lifecare:${TOKENS.lifecare},pegasos:${TOKENS.pegasos}`,
    SENDER_PORT: String(ports.sender),
    REPLIES_PORT: String(ports.replies),
    CONSOLE_PORT: String(ports.console),
    CONSOLE_TOKEN: CONSOLE_TOKEN,
    SMS_SIM_PORT: String(ports.sim),
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: TWILIO_FROM,
    TWILIO_API_BASE_URL: urlOf(ports.sim),
    PUBLIC_BASE_URL: urlOf(ports.replies),
    SMS_SIM_NUMBER: TWILIO_FROM,
    SMS_SIM_CALLBACK_DELAY_MS: '50',
  };
}

const PORT_OF: Record<string, keyof Ports> = {
  ingest: 'ingest',
  sender: 'sender',
  replies: 'replies',
  console: 'console',
  'sms-sim': 'sim',
};

/** Starts the named services (in the order given) against one database; returns a stop-all. */
export async function startKaiku(
  ctx: BenchContext,
  databaseUrl: string,
  ports: Ports,
  names: Array<'ingest' | 'sender' | 'replies' | 'console' | 'sms-sim'>,
) {
  const env = contractEnv(ctx, databaseUrl, ports);
  const running: RunningProcess[] = [];
  const stopAll = async () => {
    for (const p of running.reverse()) await p.stop();
  };
  try {
    for (const name of names) {
      const port = ports[PORT_OF[name] as keyof Ports];
      running.push(await startService(name, env, ctx.sampler, `${urlOf(port)}/healthz`));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { running, stopAll };
}
