import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicateKey } from '../src/routes/json-duplicate-key.ts';
import { fixture, type IngestHarness, invitationOf, postJson, startIngest, testHetu, UNITS, uniqueId } from './helpers.ts';

describe('duplicateKey', () => {
  it('finds a key given twice in one object, also when written with an escape', () => {
    expect(duplicateKey('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}],"d":"x\\"y","a":3}')).toBe('a');
    expect(duplicateKey('{"a\\u0062":1,"ab":2}')).toBe('ab');
    expect(duplicateKey('[{"patient":{"deceased":true,"deceased":false}}]')).toBe('deceased');
  });
  it('leaves keys repeated in other objects, and key-like text inside strings', () => {
    expect(duplicateKey('{"a":"{\\"a\\":1}","b":1}')).toBeNull();
    expect(duplicateKey('[{"x":1},{"x":2}]')).toBeNull();
    expect(duplicateKey('{"a":{},"b":[],"c":"\\\\","d":{"a":1}}')).toBeNull();
  });
});

describe('a JSON body with a key given twice', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    h = await startIngest();
  });
  afterAll(async () => h.close());

  it('is refused with 400 at the canonical and the FHIR door, and nothing is stored', async () => {
    const visitId = uniqueId('DK');
    const canonical = `{"source":"lifecare","kind":"visit-ended","visitId":"${visitId}","endedAt":"${new Date(Date.now() - 3600_000).toISOString()}",
      "unit":{"id":"${UNITS.kyyjarvi}"},"patient":{"personalId":"${testHetu()}","mobilePhones":["040 123 4567"],"deceased":true,"deceased":false}}`;
    const res = await postJson(`${h.url}/v1/visits`, canonical);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.json.detail).toBe('"deceased" appears twice in one object: which value is meant is not for Kaiku to guess');
    expect(await invitationOf(h.pool, 'lifecare', visitId)).toBeUndefined();

    const bundle = fixture('pegasos/bundle-visit-finished-en.json')
      .toString('utf8')
      .replace('"status": "finished"', '"status": "cancelled", "status": "finished"');
    expect(bundle).toContain('"status": "cancelled", "status": "finished"');
    const fhir = await postJson(`${h.url}/v1/sources/pegasos/fhir`, bundle, 'pg-token', 'application/fhir+json');
    expect(fhir.status).toBe(400);
    expect(JSON.stringify(fhir.json)).toContain('\\"status\\" appears twice');
  });
});
