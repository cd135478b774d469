// A service started with another key than the one a database's hashes were made with (a secret
// from another environment, a key "rotated" by hand) forgets every opt-out: the numbers get texts
// again. A docs probe found nothing said so; now the metric and the log do.
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_ENV, type ServiceProcess, startService, writeTestConfig } from './ops-helpers.ts';

const keysChanged = async (service: ServiceProcess) => {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const value = (key: string) => new RegExp(`^kaiku_keys_changed\\{key="${key}"\\} (\\d)$`, 'm').exec(text)?.[1];
  return { pseudonym: value('pseudonym'), encryption: value('encryption') };
};

describe('keys other than those the database was first used with', () => {
  let env: TestEnv;
  const running: ServiceProcess[] = [];
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL');
    await env.cleanup();
  });

  const start = async (keys: Record<string, string>) => {
    const service = await startService('replies', {
      ...keys,
      DATABASE_URL: env.databaseUrl,
      KAIKU_CONFIG: writeTestConfig(),
      REPLIES_PORT: '0',
    });
    running.push(service);
    return service;
  };

  it('are named on /metrics and in the log; the keys the database knows are not', { timeout: 60_000 }, async () => {
    const first = await start(KEYS_ENV);
    await waitFor(async () => (await keysChanged(first)).pseudonym !== undefined, 20_000, 'the first key check');
    expect(await keysChanged(first)).toEqual({ pseudonym: '0', encryption: '0' });
    await first.stop();

    const other = await start({ ...KEYS_ENV, KAIKU_PSEUDONYM_KEY: Buffer.alloc(32, 99).toString('base64') });
    await waitFor(async () => (await keysChanged(other)).pseudonym !== undefined, 20_000, 'the key check');
    expect(await keysChanged(other)).toEqual({ pseudonym: '1', encryption: '0' });
    const warning = other.lines.find((line) => line.includes('not the one this database was first used with'));
    expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 50, keys: ['KAIKU_PSEUDONYM_KEY'] });
    // The key itself is never written anywhere.
    expect(other.lines.join('\n')).not.toContain(Buffer.alloc(32, 99).toString('base64'));
  });
});
