import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type IngestHarness, startIngest, UNITS, uniqueId } from './helpers.ts';

/** Bodies decoded by their charset: a Latin-1 body was decoded as UTF-8, loosely, so "LATIN-Ä-77" and "LATIN-Ö-77" became one visit. */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest();
});
afterAll(async () => h.close());

async function send(path: string, token: string, body: Buffer, type: string, extra: Record<string, string> = {}) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': type, ...extra };
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: (await res.json()) as Record<string, unknown> };
}

describe('JSON bodies are UTF-8', () => {
  it('decodes by the charset given, answers 415 to a charset there is no such thing as and 400 to bytes that are not text in it', async () => {
    const visitId = uniqueId('LATIN-Ä-');
    const event = { source: 'lifecare', kind: 'visit-cancelled', visitId, unit: { id: UNITS.kyyjarvi } };
    const latin1 = Buffer.from(JSON.stringify(event), 'latin1');
    const labelled = await send('/v1/visits', 'lc-token', latin1, 'application/json; charset=iso-8859-1');
    expect(labelled.json).toMatchObject({ outcome: 'cancelled', visitId });
    const { rows } = await h.pool.query('SELECT source_visit_id FROM visit_cancellations WHERE source_visit_id = $1', [visitId]);
    expect(rows).toHaveLength(1);
    const unlabelled = await send('/v1/visits', 'lc-token', latin1, 'application/json');
    expect(unlabelled.status).toBe(400);
    expect(unlabelled.json.detail).toMatch(/not valid utf-8/);
    const unknown = await send('/v1/visits', 'lc-token', Buffer.from('{}'), 'application/json; charset=x-kaiku');
    expect(unknown.status).toBe(415);
    const bundle = fixture('pegasos/bundle-visit-entered-in-error.json').toString('utf8').replace('"880121"', '"LATIN-Ö-77"');
    const fhir = await send('/v1/sources/pegasos/fhir', 'pg-token', Buffer.from(bundle, 'latin1'), 'application/fhir+json');
    expect(fhir.status).toBe(400);
    expect(fhir.json.resourceType).toBe('OperationOutcome');
  });

  it("takes UTF-16 with a big-endian byte order mark under the label utf-16 (Java's default)", async () => {
    const visitId = uniqueId('UTF16-Ä-');
    const text = JSON.stringify({ source: 'lifecare', kind: 'visit-cancelled', visitId });
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1] as number, le[i] as number];
    const res = await send('/v1/visits', 'lc-token', Buffer.concat([Buffer.of(0xfe, 0xff), be]), 'application/json; charset=utf-16');
    expect(res.json).toMatchObject({ outcome: 'cancelled', visitId });
  });

  it('takes the labels real clients send: ASCII, quoted, UTF8, ISO-8859-1 on ASCII bytes', async () => {
    for (const type of [
      'application/json; charset=us-ascii',
      "application/json; charset='utf-8'",
      'application/json; charset=UTF8',
      'text/plain; charset=ISO-8859-1',
    ]) {
      const visitId = uniqueId('LABEL-');
      const res = await send(
        '/v1/visits',
        'lc-token',
        Buffer.from(JSON.stringify({ source: 'lifecare', kind: 'visit-cancelled', visitId })),
        type,
      );
      expect(res.json, type).toMatchObject({ outcome: 'cancelled', visitId });
    }
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

  it('answers a compressed body with 415 naming its Content-Encoding, not "not valid utf-8"', async () => {
    const event = { source: 'lifecare', kind: 'visit-cancelled', visitId: uniqueId('GZ-'), unit: { id: UNITS.kyyjarvi } };
    const gz = gzipSync(JSON.stringify(event));
    const canonical = await send('/v1/visits', 'lc-token', gz, 'application/json', { 'content-encoding': 'gzip' });
    expect(canonical.status).toBe(415);
    expect(canonical.json.detail).toBe('Content-Encoding gzip is not taken: send the body uncompressed');
    const fhir = await send(
      '/v1/sources/pegasos/fhir',
      'pg-token',
      gzipSync(fixture('pegasos/bundle-visit-entered-in-error.json')),
      'application/fhir+json',
      {
        'content-encoding': 'gzip',
      },
    );
    expect(fhir.status).toBe(415);
    expect(JSON.stringify(fhir.json)).toContain('Content-Encoding gzip');
    const plain = await send('/v1/visits', 'lc-token', Buffer.from(JSON.stringify(event)), 'application/json', {
      'content-encoding': 'identity',
    });
    expect(plain.json).toMatchObject({ outcome: 'cancelled' });
  });
});
