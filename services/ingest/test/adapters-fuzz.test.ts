import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceMessageError } from '../src/adapters/adapter-error.ts';
import { Er7Error, parseEr7 } from '../src/adapters/hl7/er7.ts';
import { ackContextOf, ackContextOfUnreadable, buildAck } from '../src/adapters/hl7/hl7-ack.ts';
import { lifecareToVisitEvent } from '../src/adapters/lifecare-hl7.adapter.ts';
import { pegasosToVisitEvents } from '../src/adapters/pegasos-fhir.adapter.ts';
import { fixture } from './helpers.ts';

/** Only the adapters' own, classified errors may come out: anything else would be a 500 or a dead connection. */
function onlyClassified(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error instanceof SourceMessageError || error instanceof Er7Error).toBe(true);
  }
}

const hl7 = fixture('lifecare/a03-adult-fi.hl7');
const bundle = fixture('pegasos/bundle-visit-finished-en.json').toString('utf8');

describe('adapters under garbage', () => {
  it('HL7: random edits of a real message give a mapping or a classified error, and always an ACK', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(hl7.length), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), (edits) => {
        const bytes = Buffer.from(hl7);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        onlyClassified(() => lifecareToVisitEvent(parseEr7(bytes), 'Europe/Helsinki'));
        let ack: Buffer;
        try {
          ack = buildAck(ackContextOf(parseEr7(bytes), 'A03'), 'error', 'x');
        } catch {
          ack = buildAck(ackContextOfUnreadable(bytes), 'rejected', 'x');
        }
        expect(ack.toString('latin1')).toMatch(/^MSH\|.*\rMSA\|(AE|AR|CE|CR)\|/s);
      }),
      { numRuns: 400 },
    );
  });

  it('HL7: arbitrary bytes never throw anything unclassified', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        onlyClassified(() => lifecareToVisitEvent(parseEr7(Buffer.concat([Buffer.from('MSH|^~\\&|'), bytes])), 'Europe/Helsinki'));
        onlyClassified(() => parseEr7(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('FHIR: ids, type and status that are objects JavaScript cannot turn into text give events or a classified error', () => {
    // fast-check's JSON values hit these now and then: `${{ toString: 1 }}` throws a TypeError.
    const odd: unknown[] = [{ toString: 1 }, { valueOf: 1, toString: 2 }, ['x'], 7, null];
    const edits: Array<(doc: { id?: unknown; type?: unknown; entry: Array<{ resource: Record<string, unknown> }> }, v: unknown) => void> = [
      (doc, v) => {
        doc.id = v;
      },
      (doc, v) => {
        doc.type = v;
      },
      (doc, v) => {
        (doc.entry[0] as { resource: Record<string, unknown> }).resource.id = v;
      },
      (doc, v) => {
        (doc.entry[1] as { resource: Record<string, unknown> }).resource.id = v;
      },
      (doc, v) => {
        (doc.entry[0] as { resource: Record<string, unknown> }).resource.status = v;
      },
    ];
    for (const edit of edits) {
      for (const value of [...odd, 'toString', '__proto__', 'constructor']) {
        const doc = JSON.parse(bundle);
        edit(doc, value);
        onlyClassified(() => pegasosToVisitEvents(doc, 'Europe/Helsinki'));
      }
    }
    const lone = JSON.parse(bundle).entry[0].resource;
    lone.id = { toString: 1 };
    onlyClassified(() => pegasosToVisitEvents(lone, 'Europe/Helsinki'));
  });

  it('FHIR: any JSON value, and the real bundle with any element replaced, gives events or a classified error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => onlyClassified(() => pegasosToVisitEvents(value, 'Europe/Helsinki'))),
      { numRuns: 300 },
    );
    const paths: string[][] = [];
    const walk = (v: unknown, path: string[]) => {
      paths.push(path);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    };
    walk(JSON.parse(bundle), []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, value) => {
        const doc = JSON.parse(bundle);
        let node = doc;
        for (const key of path.slice(0, -1)) node = node[key];
        node[path[path.length - 1] as string] = value;
        onlyClassified(() => pegasosToVisitEvents(doc, 'Europe/Helsinki'));
      }),
      { numRuns: 500 },
    );
  });
});
