import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_SID, AUTH_TOKEN, FROM, type Harness, keys } from './harness.ts';

const ENTRY = fileURLToPath(new URL('./fixtures/sender-process.ts', import.meta.url));

/**
 * Starts the production sender worker in a child process wired to the harness's database, queue
 * prefix, sms-sim and replies; resolves once it is consuming jobs. The child is added to
 * `children` (and removed when it exits) so that afterAll can kill whatever is left.
 */
export function startSenderProcess(h: Harness, children: Set<ChildProcess>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ENTRY], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: h.env.databaseUrl,
      REDIS_URL: h.env.redisUrl,
      TEST_QUEUE_PREFIX: h.env.prefix,
      TEST_KAIKU_CONFIG: JSON.stringify(h.kaiku),
      KAIKU_PSEUDONYM_KEY: keys.pseudonymKey.toString('base64'),
      KAIKU_ENCRYPTION_KEY: keys.encryptionKey.toString('base64'),
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: h.simUrl,
      TWILIO_FROM: FROM,
      PUBLIC_BASE_URL: h.repliesUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      if (String(d).includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`sender process exited (${code}): ${stderr}`)));
  });
}
