import { parseScoreReply } from '@kaiku/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_THE_SCORE } from './score-replies.context.table.ts';
import { ENGLISH, type Expected, FINNISH, REASK, SWEDISH } from './score-replies.table.ts';

function check(input: string, expected: Expected) {
  const parsed = parseScoreReply(input);
  if (expected === REASK) expect(parsed, input).toMatchObject({ kind: 'not-a-score' });
  else expect(parsed, input).toEqual({ kind: 'score', score: expected.score, reason: expected.reason });
}

describe('score parser: realistic replies', () => {
  it('the table holds at least 150 replies across the three languages', () => {
    expect(FINNISH.length + SWEDISH.length + ENGLISH.length).toBeGreaterThanOrEqual(150);
  });
  it.each(FINNISH)('fi %j', check);
  it.each(SWEDISH)('sv %j', check);
  it.each(ENGLISH)('en %j', check);
  it.each(NOT_THE_SCORE)('a number that is not the score, and the answers beside it: %j', check);
});

describe('score parser: why a reply is not a score', () => {
  it.each([
    ['7,5', 'decimal'],
    ['11', 'out-of-range'],
    ['-1', 'negative'],
    ['4/5', 'other-scale'],
    ['3 tähteä', 'other-scale'],
    ['ei kymppi', 'negated'],
    ['8 tai 9', 'conflicting'],
    ['8-9', 'range'],
    ['9-', 'modifier'],
    ['kasi puol', 'modifier'],
    ['nio komma fem', 'decimal'],
    ['Kymppiä en anna', 'negated'],
    ["Wouldn't give it a 10", 'negated'],
    ['alle 5', 'no-score'],
    ['Maksoin 10', 'no-score'],
    ['Miksi 0?', 'question'],
    ['Kipu 7', 'pain-scale'],
    ['Hyvä palvelu', 'no-score'],
    ['', 'empty'],
  ])('%j → %s', (input, why) => {
    expect(parseScoreReply(input)).toEqual({ kind: 'not-a-score', why });
  });

  it('reads a crafted message of spelt signs (a probe: "x-at-y-dot-" took exponential time; slow again, it runs into the test timeout)', () => {
    expect(parseScoreReply('x-at-y-dot-'.repeat(150).slice(0, 1600))).toEqual({ kind: 'not-a-score', why: 'no-score' });
    expect(parseScoreReply(`9 hoito-at-${'a-dot-'.repeat(30)}`)).toMatchObject({ kind: 'score', score: 9 });
  });

  it('never reads a digit of an e-mail address as the score (a regression probe: "ville.9@luukku.com" was a 9)', () => {
    for (const address of ['ville.9@luukku.com', 'maija8.testinen@example.fi', 'info@terveys10.fi', 'maija@example10.fi']) {
      expect(parseScoreReply(address).kind, address).toBe('not-a-score');
    }
    expect(parseScoreReply('8 ville.9@luukku.com')).toMatchObject({ kind: 'score', score: 8 });
    // ...while a score glued to "@" or before a web site is still a score (a second probe)
    for (const [reply, score] of [
      ['10@hus', 10],
      ['9@asema oli hyvä', 9],
      ['9 at hus.fi was good', 9],
      ['10 at gmail.com', 10],
      ['8 ät kassa.fi', 8],
      ['9 @ ER. Thanks', 9],
      ['10@hus.fi', 10],
      ['10 @ päivystys. Nopeaa', 10],
      ['9 at hus dot fi', 9],
      ['2 snabel-a example punkt se', 2],
    ] as const) {
      expect(parseScoreReply(reply), reply).toMatchObject({ kind: 'score', score });
    }
  });
});

const score = fc.integer({ min: 0, max: 10 });
const filler = fc.constantFrom('', ' ', '!', '.', '!!', ' kiitos', ', tack', ' thanks', ' 😊', '/10');
const reasonWords = fc.constantFrom('hyvä palvelu', 'bra bemötande', 'friendly staff', 'lääkäri kuunteli', 'snabb hjälp', 'long wait');

describe('score parser: properties', () => {
  it('reads every score 0–10 written as digits with filler around it, and asks why', () => {
    fc.assert(
      fc.property(score, filler, fc.constantFrom('', ' ', 'arvosana ', 'betyg ', 'score: '), (n, after, before) => {
        expect(parseScoreReply(`${before}${n}${after}`)).toEqual({ kind: 'score', score: n, reason: null });
      }),
    );
  });

  it('a score followed by words gives the score and those words as the reason', () => {
    fc.assert(
      fc.property(score, fc.constantFrom(' ', ', ', '. ', ' - '), reasonWords, (n, sep, words) => {
        expect(parseScoreReply(`${n}${sep}${words}`)).toEqual({ kind: 'score', score: n, reason: words });
      }),
    );
  });

  it('never reads a number above 10 or below 0 as a score', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 11, max: 1_000_000 }), fc.integer({ min: -1000, max: -1 })), filler, (n, after) => {
        expect(parseScoreReply(`${n}${after}`).kind).toBe('not-a-score');
      }),
    );
  });

  it('never reads a decimal as a score', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(',', '.'), (a, b, sep) => {
        expect(parseScoreReply(`${a}${sep}${b}`).kind).toBe('not-a-score');
      }),
    );
  });

  it('two different scores in one message are never read as either', () => {
    fc.assert(
      fc.property(score, score, fc.constantFrom(' ', ' tai ', ' or ', ' eller ', '-', ' vai '), (a, b, sep) => {
        fc.pre(a !== b);
        expect(parseScoreReply(`${a}${sep}${b}`).kind).toBe('not-a-score');
      }),
    );
  });

  it('a number with a unit of time, count or money is never the score', () => {
    fc.assert(
      fc.property(
        score,
        fc.constantFrom('tuntia', 'min', 'h', 'päivää', 'timmar', 'minutes', 'hours', 'euroa', 'kertaa', 'stars', 'tähteä'),
        (n, unit) => {
          expect(parseScoreReply(`${n} ${unit}`).kind).toBe('not-a-score');
        },
      ),
    );
  });

  it('a rating on another scale is never the score', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.constantFrom(3, 4, 5, 6, 7, 20, 100), (n, of) => {
        expect(parseScoreReply(`${n}/${of}`).kind).toBe('not-a-score');
        expect(parseScoreReply(`${n} out of ${of}`).kind).toBe('not-a-score');
      }),
    );
  });

  it('a negated score is never the score', () => {
    fc.assert(
      fc.property(score, fc.constantFrom('ei ', 'en anna ', 'not ', 'not a ', 'inte ', 'inte en '), (n, neg) => {
        expect(parseScoreReply(`${neg}${n}`).kind).toBe('not-a-score');
      }),
    );
  });

  it('any text gives an answer without throwing, and a score is always an integer 0–10', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const parsed = parseScoreReply(text);
        if (parsed.kind === 'score') {
          expect(Number.isInteger(parsed.score)).toBe(true);
          expect(parsed.score).toBeGreaterThanOrEqual(0);
          expect(parsed.score).toBeLessThanOrEqual(10);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a reason is never longer than the message and never contains only the score', () => {
    fc.assert(
      fc.property(score, fc.string({ maxLength: 80 }), (n, rest) => {
        const text = `${n} ${rest}`;
        const parsed = parseScoreReply(text);
        if (parsed.kind === 'score' && parsed.reason !== null) {
          expect(parsed.reason.length).toBeLessThanOrEqual(text.length);
          expect(parsed.reason.trim()).not.toBe('');
        }
      }),
    );
  });
});
