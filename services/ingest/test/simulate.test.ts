import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateLifecareMessages,
  generatePegasosBundles,
  generateStream,
  sendFhir,
  sendHl7OverHttp,
  sendOverMllp,
} from '../../../scripts/simulate/index.ts';
import { createMllpServer, type MllpServer } from '../src/mllp/mllp-server.ts';
import { type IngestHarness, silent, startIngest } from './helpers.ts';

let h: IngestHarness;
let mllp: MllpServer;
let mllpPort: number;
beforeAll(async () => {
  h = await startIngest();
  mllp = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent });
  mllpPort = (await mllp.listen(0)).port;
});
afterAll(async () => {
  await mllp.close();
  await h.close();
});

describe('simulators', () => {
  it('make the promised mix, the same for the same seed', () => {
    const events = generateStream({ visits: 5000, seed: 42, now: new Date('2026-03-12T12:00:00Z'), runId: 'T' });
    const visits = events.filter((e) => e.kind === 'visit-ended' && !e.duplicate);
    const share = (f: (e: (typeof visits)[number]) => boolean) => visits.filter(f).length / visits.length;
    expect(visits).toHaveLength(5000);
    expect(share((e) => e.patient.language === 'fi')).toBeCloseTo(0.87, 1);
    expect(share((e) => e.patient.language === 'sv')).toBeCloseTo(0.05, 1);
    expect(share((e) => Number(e.patient.birthDate.slice(0, 4)) > 2008)).toBeGreaterThan(0.04);
    expect(share((e) => e.patient.phones.every((p) => !p.mobile))).toBeGreaterThan(0.02);
    expect(events.some((e) => e.kind === 'visit-cancelled')).toBe(true);
    expect(events.some((e) => e.duplicate)).toBe(true);
    expect(new Set(visits.map((e) => e.unitId)).size).toBe(3);
    expect(visits.every((e) => /^\d{6}[-A-F]9\d{2}[0-9A-Y]$/.test(e.patient.hetu))).toBe(true);
    expect(generateStream({ visits: 50, seed: 42, now: new Date('2026-03-12T12:00:00Z'), runId: 'T' })).toEqual(
      events.slice(
        0,
        events.findIndex((e) => e.visitId === 'SIMTV50'),
      ),
    );
  });

  it('stream Lifecare over MLLP: every message acknowledged AA, each with its outcome', async () => {
    const messages = generateLifecareMessages({ visits: 150, seed: 3, runId: 'MLLP' });
    const summary = await sendOverMllp(messages, { port: mllpPort, connections: 3 });
    expect(summary.errors).toEqual([]);
    expect(summary.sent).toBe(messages.length);
    expect(summary.results).toEqual({ AA: messages.length });
    expect(summary.skipped['under-age']).toBeGreaterThan(0);
    // Every visit is stored, or was cancelled first (a cancellation may overtake its visit on another connection).
    const { rows } = await h.pool.query(
      `SELECT count(DISTINCT id)::int AS n FROM (
         SELECT source_visit_id AS id FROM visits WHERE source_visit_id LIKE 'SIMMLLPV%'
         UNION SELECT source_visit_id FROM visit_cancellations WHERE source_visit_id LIKE 'SIMMLLPV%') AS seen`,
    );
    expect(rows[0].n).toBe(150);
  });

  it('stream Lifecare over MLLP to an ingest that stops: the summary counts what got no ACK, it does not wait for good', async () => {
    // A listener that acknowledges the first message and then goes away, as ingest does on SIGTERM.
    const server = createServer((socket) => {
      socket.once('data', () => {
        socket.end(Buffer.from('\x0bMSH|^~\\&|KAIKU\rMSA|AA|1|scheduled\r\x1c\r', 'latin1'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const messages = generateLifecareMessages({ visits: 5, seed: 6, runId: 'STOP' });
      const summary = await sendOverMllp(messages, { port: (server.address() as AddressInfo).port, connections: 1 });
      expect(summary.sent).toBe(1);
      expect(summary.failed).toBe(messages.length - 1);
      expect(summary.errors.join(' ')).toContain('closed before the ACK');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stream Lifecare over HTTP and Pegasos as FHIR', async () => {
    const hl7 = await sendHl7OverHttp(generateLifecareMessages({ visits: 40, seed: 4, runId: 'HTTP' }), {
      baseUrl: h.url,
      token: 'lc-token',
    });
    expect(Object.keys(hl7.results)).toEqual(['AA']);
    const fhir = await sendFhir(generatePegasosBundles({ visits: 40, seed: 5, runId: 'FHIR' }), { baseUrl: h.url, token: 'pg-token' });
    expect(fhir.failed).toBe(0);
    expect(fhir.results.scheduled).toBeGreaterThan(0);
    expect(fhir.skipped['unit-not-enrolled']).toBeGreaterThan(0); // the test county enrols 2 of the 9 Pegasos units
    expect(Object.keys(fhir.results).every((k) => ['scheduled', 'skipped', 'duplicate', 'cancelled'].includes(k))).toBe(true);
  });
});
