import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let taken: Server;
let port: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise((r) => taken.close(r)));

it('exits 1 at start-up saying which address it could not listen on, not with a bare stack', () => {
  const run = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, SMS_SIM_PORT: String(port), LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(`sms-sim: cannot start: cannot listen on 127.0.0.1:${port} (SMS_SIM_PORT): listen EADDRINUSE`);
});
