import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type IngestHarness, startIngest, UNITS, uniqueId } from './helpers.ts';

/** JSON is UTF-8: a Latin-1 body was decoded loosely, so "LATIN-Ä-77" and "LATIN-Ö-77" became one visit. */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

async function send(path: string, token: string, body: Buffer, type: string) {
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: (await res.json()) as Record<string, unknown> };
}

describe('JSON bodies are UTF-8', () => {
  it('answers 415 to a charset other than UTF-8 and 400 to bytes that are not UTF-8, on both JSON endpoints; stores nothing', async () => {
    const visitId = uniqueId('LATIN-Ä-');
    const event = { source: 'lifecare', kind: 'visit-cancelled', visitId, unit: { id: UNITS.kyyjarvi } };
    const latin1 = Buffer.from(JSON.stringify(event), 'latin1');
    const labelled = await send('/v1/visits', 'lc-token', latin1, 'application/json; charset=iso-8859-1');
    expect(labelled.status).toBe(415);
    expect(labelled.json.detail).toMatch(/UTF-8/);
    const unlabelled = await send('/v1/visits', 'lc-token', latin1, 'application/json');
    expect(unlabelled.status).toBe(400);
    expect(unlabelled.json.detail).toMatch(/not valid UTF-8/);
    const bundle = fixture('pegasos/bundle-visit-entered-in-error.json').toString('utf8').replace('"880121"', '"LATIN-Ö-77"');
    const fhir = await send(
      '/v1/sources/pegasos/fhir',
      'pg-token',
      Buffer.from(bundle, 'latin1'),
      'application/fhir+json; charset=iso-8859-1',
    );
    expect(fhir.status).toBe(415);
    expect(fhir.json.resourceType).toBe('OperationOutcome');
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM visit_cancellations WHERE source_visit_id LIKE $1', ['LATIN-%']);
    expect(rows[0].n).toBe(0);
  });

  it('still takes UTF-8 with or without the label, and a byte order mark', async () => {
    const visitId = uniqueId('UTF-Ä-');
    const event = { source: 'lifecare', kind: 'visit-cancelled', visitId };
    const bom = Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(JSON.stringify(event), 'utf8')]);
    expect((await send('/v1/visits', 'lc-token', bom, 'application/json; charset=UTF-8')).json).toMatchObject({
      outcome: 'cancelled',
      visitId,
    });
  });
});
