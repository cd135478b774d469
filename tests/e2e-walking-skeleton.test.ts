import { parseKaikuConfig } from '@kaiku/config';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_TOKEN, INGEST_TOKEN, type InProcessStack, startInProcessStack } from './in-process-stack.ts';

const UNIT = '1.2.246.10.2085212.10.1314';
const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const AUTH_TOKEN = 'e2e-auth-token';
const keys = { pseudonymKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) };
const kaiku = parseKaikuConfig({
  units: [{ id: UNIT, name: { fi: 'Kyyjärven terveysasema', sv: 'Kyyjärvi hälsostation' }, service: 'health-station' }],
  survey: { sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false },
  reporting: { minN: 1 },
});
describe('walking skeleton: visit → SMS → reply → NPS', () => {
  let stack: InProcessStack;
  let urls: InProcessStack['urls'];

  beforeAll(async () => {
    stack = await startInProcessStack({ kaiku, keys, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID });
    urls = stack.urls;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('texts an adult once in Finnish and counts the answer in NPS', async () => {
    const endedAt = new Date(Date.now() - 3600_000).toISOString();
    const visit = {
      source: 'lifecare',
      sourceEventId: 'E2E-1',
      kind: 'visit-ended',
      visitId: 'E2E-VISIT-1',
      endedAt,
      unit: { id: UNIT, name: 'Kyyjärven terveysasema' },
      service: { class: 'SOTE9.2', type: 'T11' },
      patient: {
        personalId: '010181-900C',
        mobilePhones: ['040 123 4567'],
        languages: { service: 'fi' },
        nonDisclosure: false,
        deceased: false,
        smsConsent: true,
      },
    };
    const res = await fetch(`${urls.ingest}/v1/visits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(visit),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ outcome: 'scheduled', language: 'fi' });

    const sent = await waitFor(
      async () => {
        const { messages } = (await (await fetch(`${urls.sim}/sim/messages?direction=outbound-api`)).json()) as {
          messages: Array<{ to: string; body: string }>;
        };
        return messages.length > 0 ? messages : null;
      },
      15_000,
      'the survey text',
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('+358401234567');
    expect(sent[0]?.body).toContain('Kyyjärven terveysasema');
    expect(sent[0]?.body).toMatch(/0-10/);

    const reply = async (body: string) =>
      (await (
        await fetch(`${urls.sim}/sim/reply`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: '+358401234567', body }),
        })
      ).json()) as { status: number; replies: string[] };
    const first = await reply('9');
    expect(first.status).toBe(200);
    expect(first.replies[0]).toMatch(/mikä vaikutti/);
    const second = await reply('Hyvä palvelu');
    expect(second.replies[0]).toMatch(/Kiitos palautteestasi/);

    const report = await fetch(`${urls.console}/v1/reports/nps?from=2000-01-01&to=2100-12-31&groupBy=unit`, {
      headers: { authorization: `Bearer ${CONSOLE_TOKEN}` },
    });
    expect(report.status).toBe(200);
    const body = (await report.json()) as { rows: Array<Record<string, unknown>> };
    expect(body.rows).toEqual([expect.objectContaining({ key: { unit: UNIT }, n: 1, promoters: 1, nps: 100, suppressed: false })]);

    // Still exactly one survey text after all that.
    const { messages } = (await (await fetch(`${urls.sim}/sim/messages?direction=outbound-api`)).json()) as { messages: unknown[] };
    expect(messages).toHaveLength(1);
  });
});
