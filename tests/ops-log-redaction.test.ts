// Whole conversations through the real service processes (ingest → sender → sms-sim → replies), all
// logging at `trace`; then every captured log line is searched for the personal data used.
import { createServer } from 'node:net';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hetu, KEYS_ENV, phone, type ServiceProcess, startService, visit, writeTestConfig } from './ops-helpers.ts';

const ACCOUNT_SID = `AC${'c'.repeat(32)}`;
const AUTH_TOKEN = 'redaction-twilio-auth-token';
const INGEST_TOKEN = 'redaction-lifecare-token';
const FROM = '+358451234567';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Patient i's language and what they answer, in order. */
const PATIENTS: Array<{ language: 'fi' | 'sv' | 'en'; replies: string[] }> = [
  { language: 'fi', replies: ['9', 'Hoitaja Liisa Virtanen kuunteli tarkasti ja selitti kaiken'] },
  { language: 'sv', replies: ['åtta, vänligt bemötande men väntetiden var lång'] },
  { language: 'fi', replies: ['EN', '10 doctor Smith explained my diabetes medication clearly'] },
  { language: 'fi', replies: ['LOPETA'] },
  { language: 'en', replies: ['7 call me back on 0401239876, my id is 131052-308T'] },
];

describe('logs carry no personal data', () => {
  let env: TestEnv;
  const services: ServiceProcess[] = [];
  let simUrl = '';
  const sentBodies: string[] = [];
  const twimlBodies: string[] = [];
  const metrics: Array<{ url: string; status: number; histogram: boolean }> = [];

  beforeAll(async () => {
    env = await createTestEnv();
    const repliesPort = await freePort();
    const repliesUrl = `http://127.0.0.1:${repliesPort}`;
    const common = {
      ...KEYS_ENV,
      LOG_LEVEL: 'trace',
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      KAIKU_QUEUE_PREFIX: env.prefix,
      KAIKU_CONFIG: writeTestConfig(),
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: FROM,
      PUBLIC_BASE_URL: repliesUrl,
    };
    const [replies, sim] = await Promise.all([
      startService('replies', { ...common, REPLIES_PORT: String(repliesPort) }),
      startService('sms-sim', { ...common, SMS_SIM_PORT: '0', SMS_SIM_NUMBER: FROM, SMS_SIM_CALLBACK_DELAY_MS: '20' }),
    ]);
    simUrl = sim.url;
    const [ingest, sender] = await Promise.all([
      startService('ingest', {
        ...common,
        INGEST_PORT: '0',
        MLLP_PORT: '0',
        INGEST_TOKENS: `lifecare:${INGEST_TOKEN}`,
        OUTBOX_POLL_MS: '100',
      }),
      startService('sender', { ...common, SENDER_PORT: '0', TWILIO_API_BASE_URL: sim.url }),
    ]);
    services.push(replies, sim, ingest, sender);

    // Ingest the visits, wait for the texts, then answer as the patients.
    for (const [i, patient] of PATIENTS.entries()) {
      const res = await fetch(`${ingest.url}/v1/visits`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${INGEST_TOKEN}`,
          'content-type': 'application/json',
          'x-request-id': `0000000${i}-feed-4bad-8000-00000000beef`,
        },
        body: JSON.stringify(visit(i, 'REDACT', patient.language)),
      });
      expect(res.status).toBe(201);
    }
    const outbound = await waitFor(
      async () => {
        const { messages } = (await (await fetch(`${simUrl}/sim/messages?direction=outbound-api`)).json()) as {
          messages: Array<{ to: string; body: string }>;
        };
        return messages.length >= PATIENTS.length ? messages : null;
      },
      60_000,
      'the survey texts',
    );
    sentBodies.push(...outbound.map((m) => m.body));
    for (const [i, patient] of PATIENTS.entries()) {
      for (const body of patient.replies) {
        const res = await fetch(`${simUrl}/sim/reply`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: phone(i).e164, body }),
        });
        const answer = (await res.json()) as { status: number; replies: string[] };
        expect(answer.status).toBe(200);
        twimlBodies.push(...answer.replies);
      }
    }
    // A stranger's message, and a Twilio status callback round, also go through the logs.
    await fetch(`${simUrl}/sim/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+358409990001', body: 'kuka tämä on, soitin eilen' }),
    });
    // Let the status callbacks (sent → delivered) arrive and be logged.
    await new Promise((r) => setTimeout(r, 1000));
    for (const service of services) {
      await fetch(`${service.url}/healthz`);
      const res = await fetch(`${service.url}/metrics`);
      metrics.push({
        url: service.url,
        status: res.status,
        histogram: (await res.text()).includes('kaiku_http_request_duration_seconds_bucket'),
      });
    }
    for (const service of services) expect((await service.stop()).code).toBe(0);
  }, 280_000);

  afterAll(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await env.cleanup();
  });

  it('ran the conversations it meant to (the test is not vacuous)', () => {
    expect(sentBodies).toHaveLength(PATIENTS.length);
    expect(twimlBodies.length).toBeGreaterThanOrEqual(PATIENTS.length);
    const lines = services.flatMap((s) => s.lines);
    expect(lines.length).toBeGreaterThan(50);
    // A caller's UUID ties its request's lines together.
    expect(lines.some((l) => l.includes('"reqId":"00000000-feed-4bad-8000-00000000beef"'))).toBe(true);
  });

  it('every service process serves /metrics', () => {
    expect(metrics).toHaveLength(4);
    for (const m of metrics) expect(m, m.url).toMatchObject({ status: 200, histogram: true });
  });

  it('no log line holds a phone number, a hetu, a message body or a token', () => {
    const secrets: Array<[string, string]> = [];
    for (const i of PATIENTS.keys()) {
      const { e164, local } = phone(i);
      secrets.push([`phone ${i}`, e164], [`phone ${i}`, e164.slice(1)], [`phone ${i}`, local], [`phone ${i}`, `0${e164.slice(4)}`]);
      secrets.push([`hetu ${i}`, hetu(i)]);
      for (const body of PATIENTS[i]?.replies ?? []) if (body.length > 3) secrets.push([`reply of ${i}`, body]);
    }
    secrets.push(
      ['phone in a reply', '0401239876'],
      ['hetu in a reply', '131052-308T'],
      ['a name in a reply', 'Liisa Virtanen'],
      ['a diagnosis in a reply', 'diabetes'],
      ['a stranger', '358409990001'],
      ['a stranger', 'soitin eilen'],
      ['ingest token', INGEST_TOKEN],
      ['Twilio auth token', AUTH_TOKEN],
    );
    for (const body of [...sentBodies, ...twimlBodies]) secrets.push(['message body', body], ['message body', body.slice(0, 40)]);

    for (const service of services) {
      const text = service.lines.join('\n');
      const leaks = secrets.filter(([, value]) => text.includes(value)).map(([what, value]) => `${what}: ${value}`);
      const where = leaks.length ? service.lines.filter((l) => secrets.some(([, v]) => l.includes(v))).slice(0, 5) : [];
      expect({ leaks, where }, `logs of ${service.url}`).toEqual({ leaks: [], where: [] });
    }
  });
});
