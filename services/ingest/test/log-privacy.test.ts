import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createPool, type Pool } from '@kaiku/db';
import { loggerOptions } from '@kaiku/http';
import { createRedis } from '@kaiku/queue';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIngestApp } from '../src/app.ts';
import { createMllpServer, frame, type MllpServer } from '../src/mllp/mllp-server.ts';
import { createIngestPipeline } from '../src/pipeline.ts';
import { fixture, hl7Time, hl7With, keys, postHl7, postJson, TOKENS, testConfig, testHetu, yesterdayAt } from './helpers.ts';

describe('logs', () => {
  const lines: string[] = [];
  let env: TestEnv;
  let pool: Pool;
  let redis: Redis;
  let app: FastifyInstance;
  let mllp: MllpServer;
  let url: string;

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl, { max: 3 });
    redis = createRedis(env.redisUrl, { failFast: true });
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The service's own logger options (redaction, request serializer), at the most verbose level.
    const logger = pino({ ...loggerOptions('trace', 'ingest') }, sink);
    const pipeline = createIngestPipeline({ pool, kaiku: testConfig(), keys, logger });
    app = buildIngestApp({ pool, redis, kaiku: testConfig(), keys, tokens: TOKENS, logger, pipeline });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    mllp = createMllpServer({ handleHl7: pipeline.handleHl7, logger, maxFrameBytes: 4096 });
    await mllp.listen(0);
  });
  afterAll(async () => {
    await mllp.close();
    await app.close();
    redis.disconnect();
    await pool.end();
    await env.cleanup();
  });

  it('carry no identity code, name, phone number or message text, whatever comes in', async () => {
    const now = hl7Time(new Date(Date.now() - 3600_000));
    await postHl7(url, hl7With('a03-adult-fi', { 'PV1-45': now, 'MSH-10': 'LOG1' }));
    await postHl7(url, hl7With('a03-adult-fi', { 'PV1-45': now, 'PID-3.1': '010181-900D', 'MSH-10': 'LOG2' }));
    await postHl7(url, fixture('lifecare/a03-malformed.hl7'));
    await postHl7(url, hl7With('a03-adult-fi', { 'MSH-9': 'ADT^A01' }));
    const bundle = JSON.parse(fixture('pegasos/bundle-visit-finished-en.json').toString('utf8'));
    await postJson(`${url}/v1/sources/pegasos/fhir`, bundle, 'pg-token', 'application/fhir+json');
    await postJson(`${url}/v1/sources/pegasos/fhir`, JSON.stringify(bundle).slice(0, 400), 'pg-token', 'application/fhir+json');
    await postJson(`${url}/v1/visits`, JSON.parse(fixture('canonical/visit-ended.json').toString('utf8')));
    await postJson(`${url}/v1/visits`, '{"patient": {"personalId": "010181-900C", "mobilePhones": ["+358412345678"]');

    // MLLP, including a frame over the bound.
    const { connect } = await import('node:net');
    const socket = connect((mllp.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const acks = new Promise<void>((resolve) => {
      let n = 0;
      socket.on('data', (d) => {
        n += d.toString('latin1').split('\x1c').length - 1;
        if (n >= 2) resolve();
      });
    });
    socket.write(frame(hl7With('a03-adult-fi', { 'PV1-45': now, 'MSH-10': 'LOG3' })));
    socket.write(Buffer.concat([Buffer.of(0x0b), fixture('lifecare/a03-adult-fi.hl7'), Buffer.alloc(5000, 0x41)]));
    await acks;
    socket.destroy();

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [
      '010181',
      '240799',
      '412345678',
      '7654321',
      '765 4321',
      'Testinen',
      'Maija',
      'Tester',
      'Alex',
      'Liisa',
      'example.org',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain('lc-token');
  });

  it('say at info what became of each visit event, and why a Lifecare message was refused', async () => {
    const now = hl7Time(new Date(Date.now() - 3600_000));
    await postHl7(url, hl7With('a03-adult-fi', { 'PV1-45': now, 'MSH-10': 'LOGOK', 'PV1-19.1': 'LOGVISIT1' }));
    await postHl7(url, hl7With('a03-adult-fi', { 'PV1-45': now, 'PID-3.1': '010181-900D', 'MSH-10': 'LOGBAD' }));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'visit event', source: 'lifecare', visitId: 'LOGVISIT1', kind: 'visit-ended' }),
    );
    expect(parsed).toContainEqual(expect.objectContaining({ level: 30, msg: 'hl7 message refused', ack: 'AE', fields: ['PID-3'] }));
    const refused = parsed.find((p) => p.msg === 'hl7 message refused' && p.ack === 'AE');
    expect(JSON.stringify(refused)).not.toContain('LOGBAD'); // no control id: a field mapped wrong may hold a hetu
  });

  it('say at info that a cancelled visit had been texted already (a support desk read `cancelled` as "no text went")', async () => {
    const visit = JSON.parse(fixture('canonical/visit-ended.json').toString('utf8'));
    const sent = { ...visit, visitId: 'LOGSENT1', sourceEventId: 'LOGSENT1-E', endedAt: new Date(Date.now() - 3600_000).toISOString() };
    expect((await postJson(`${url}/v1/visits`, sent)).json).toMatchObject({ outcome: 'scheduled' });
    await pool.query("UPDATE invitations SET status = 'sent' WHERE visit_id = (SELECT id FROM visits WHERE source_visit_id = 'LOGSENT1')");
    const at = lines.length;
    await postJson(`${url}/v1/visits`, { source: 'lifecare', kind: 'visit-cancelled', visitId: 'LOGSENT1' });
    await postJson(`${url}/v1/visits`, { source: 'lifecare', kind: 'visit-cancelled', visitId: 'LOGNEVERSEEN' });
    const events = lines
      .slice(at)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((p) => p.msg === 'visit event');
    expect(events).toEqual([
      expect.objectContaining({ visitId: 'LOGSENT1', outcome: 'cancelled', textSent: true }),
      expect.objectContaining({ visitId: 'LOGNEVERSEEN', outcome: 'cancelled', visitUnknown: true }),
    ]);
  });

  it('say at info which earlier surveys of the day a later visit took (the same-day rule), alone or in a batch', async () => {
    const visit = JSON.parse(fixture('canonical/visit-ended.json').toString('utf8'));
    const patientOf = (personalId: string) => ({ ...visit.patient, personalId, birthDate: undefined });
    const at = (hour: number) => yesterdayAt(hour).toISOString(); // one Helsinki day, whatever the time now
    const [first, second] = [testHetu('1975-06-15'), testHetu('1976-07-16')];
    const replacedLines = () =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((p) => String(p.msg).startsWith('same-day rule'));
    const morning = await postJson(`${url}/v1/visits`, {
      ...visit,
      visitId: 'LOGDAY1',
      sourceEventId: 'LOGDAY1',
      endedAt: at(10),
      patient: patientOf(first),
    });
    const later = await postJson(`${url}/v1/visits`, {
      ...visit,
      visitId: 'LOGDAY2',
      sourceEventId: 'LOGDAY2',
      endedAt: at(12),
      patient: patientOf(first),
    });
    expect(replacedLines()).toContainEqual(
      expect.objectContaining({
        level: 30,
        visitId: 'LOGDAY2',
        invitationId: later.json.invitationId,
        replacedInvitationIds: [morning.json.invitationId],
      }),
    );
    // the later visit cancelled: the morning's survey is back, and the log says so (a regression probe)
    await postJson(`${url}/v1/visits`, { source: 'lifecare', kind: 'visit-cancelled', visitId: 'LOGDAY2' });
    expect(replacedLines()).toContainEqual(
      expect.objectContaining({
        visitId: 'LOGDAY2',
        cancelledInvitationIds: [later.json.invitationId],
        restoredInvitationId: morning.json.invitationId,
      }),
    );
    const batch = await postJson(`${url}/v1/visits`, [
      { ...visit, visitId: 'LOGDAY3', sourceEventId: 'LOGDAY3', endedAt: at(9), patient: patientOf(second) },
      { ...visit, visitId: 'LOGDAY4', sourceEventId: 'LOGDAY4', endedAt: at(13), patient: patientOf(second) },
    ]);
    const [earlier, latest] = batch.json.results as Array<{ invitationId: string }>;
    expect(replacedLines()).toContainEqual(
      expect.objectContaining({ visitId: 'LOGDAY4', invitationId: latest?.invitationId, replacedInvitationIds: [earlier?.invitationId] }),
    );
  });

  it('give an item the schema refused inside a batch its own visit event line, its visit id protected', async () => {
    const visit = JSON.parse(fixture('canonical/visit-ended.json').toString('utf8'));
    const { unit: _unit, ...noUnit } = visit;
    const at = lines.length;
    const res = await postJson(`${url}/v1/visits`, [
      { ...noUnit, visitId: 'LOGNOUNIT' },
      { ...visit, visitId: '010181-900C', endedAt: 'yesterday' },
    ]);
    expect(res.status).toBe(200);
    const events = lines
      .slice(at)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((p) => p.msg === 'visit event');
    expect(events).toEqual([
      expect.objectContaining({
        level: 30,
        source: 'lifecare',
        kind: 'visit-ended',
        visitId: 'LOGNOUNIT',
        outcome: 'rejected',
        field: 'unit',
      }),
      expect.objectContaining({
        level: 30,
        source: 'lifecare',
        visitId: expect.stringMatching(/^masked:/),
        outcome: 'rejected',
        field: 'endedAt',
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain('010181');
  });

  it('give a FHIR entry refused inside a bundle its own visit event line', async () => {
    const bundle = JSON.parse(fixture('pegasos/bundle-visit-finished-en.json').toString('utf8'));
    const encounter = bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Encounter');
    const planned = structuredClone(encounter);
    planned.fullUrl = 'urn:uuid:0b6f3c1e-2d7a-4e55-9c1b-7a9d2f0e4c11';
    planned.resource.id = 'planned-1';
    planned.resource.status = 'planned';
    planned.resource.identifier = [{ ...planned.resource.identifier[0], value: 'LOGPLANNED' }];
    bundle.entry.push(planned);
    const at = lines.length;
    const res = await postJson(`${url}/v1/sources/pegasos/fhir`, bundle, 'pg-token', 'application/fhir+json');
    expect(res.status).toBe(200);
    const events = lines
      .slice(at)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((p) => p.msg === 'visit event');
    expect(events).toContainEqual(
      expect.objectContaining({
        source: 'pegasos',
        visitId: expect.stringContaining('LOGPLANNED'),
        outcome: 'rejected',
        field: 'Bundle.entry[2].resource.status',
      }),
    );
    expect(events).toHaveLength(2);
  });

  it('say at info why a Pegasos FHIR request was refused, without what it sent', async () => {
    const fhir = `${url}/v1/sources/pegasos/fhir`;
    const type = { 'content-type': 'application/fhir+json' };
    await fetch(fhir, { method: 'POST', headers: { ...type, authorization: 'Bearer 010181-900C' }, body: '{}' });
    await fetch(fhir, {
      method: 'POST',
      headers: { ...type, authorization: 'Bearer pg-token' },
      body: JSON.stringify({ resourceType: 'Virtanen Matti 0401234567' }),
    });
    const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((p) => p.msg === 'request refused');
    expect(refusals).toContainEqual(expect.objectContaining({ level: 30, status: 401, title: 'login' }));
    expect(refusals).toContainEqual(expect.objectContaining({ level: 30, status: 400, title: 'invalid', field: 'resourceType' }));
    expect(JSON.stringify(refusals)).not.toMatch(/010181|Virtanen|0401234567/);
  });
});
