import { describe, expect, it } from 'vitest';
import { parseEr7 } from '../src/adapters/hl7/er7.ts';
import { ackContextOf, buildAck } from '../src/adapters/hl7/hl7-ack.ts';

// An interface-engine probe: ACK texts ran past the standard's lengths (MSA-3 at 90–132 characters,
// ERR-1 at 87), and v2.7/2.8 ACKs filled MSA-3, which those versions withdraw; a profile-validating
// engine flags such an ACK or refuses to read it.
const message = (version: string) =>
  parseEr7(Buffer.from(`MSH|^~\\&|LIFECARE|KYY|KAIKU|HUS|20250101||ADT^A03|C1|P|${version}\rPID|1||x\r`, 'latin1'));
const long = 'cancelled (no visit with this number is stored yet: one that ends later is never surveyed) | ^ & ~ \\';
const issues = [{ field: 'PID-13', message: `${long} ${'x'.repeat(300)}` }];
const segmentsOf = (ack: Buffer) => ack.toString('latin1').split('\r').filter(Boolean);

describe('HL7 ACK within the lengths of the version answered', () => {
  it.each(['2.3', '2.4', '2.5.1', '2.6'])('v%s: MSA-3 holds at most 80 characters, cut at a whole escape', (version) => {
    for (const result of ['accepted', 'error'] as const) {
      const msa = segmentsOf(buildAck(ackContextOf(message(version), 'A03'), result, long, issues))[1] as string;
      const text = msa.split('|')[3] as string;
      expect(text.length).toBeLessThanOrEqual(80);
      expect(text).toMatch(/^cancelled \(no visit/);
      expect(text).toMatch(/\.\.\.$/);
    }
    // an escape (\F\ for "|") is kept whole or left out, never cut in two
    const msaOf = (text: string) =>
      segmentsOf(buildAck(ackContextOf(message(version), 'A03'), 'accepted', text))[1]
        ?.split('|')
        .slice(3)
        .join('|');
    expect(msaOf(`${'a'.repeat(74)}|||`)).toBe(`${'a'.repeat(74)}\\F\\...`);
    expect(msaOf(`${'a'.repeat(75)}|||`)).toBe(`${'a'.repeat(75)}...`);
    expect(msaOf(`${'a'.repeat(71)}|||`)).toBe(`${'a'.repeat(71)}\\F\\\\F\\\\F\\`);
  });

  it.each(['2.7', '2.8'])('v%s: no MSA-3 (withdrawn); the reason is in ERR', (version) => {
    const [, msa, err] = segmentsOf(buildAck(ackContextOf(message(version), 'A03'), 'error', long, issues));
    expect(msa).toBe('MSA|AE|C1');
    expect(err?.split('|')[3]).toMatch(/^102\^cancelled \(no visit/);
    // an accepted message's outcome in an ERR of severity I, code 0 (a regression probe: it was said nowhere)
    const accepted = segmentsOf(buildAck(ackContextOf(message(version), 'A03'), 'accepted', 'skipped: no-mobile'));
    expect(accepted.slice(1)).toEqual(['MSA|AA|C1', 'ERR|||0^skipped: no-mobile^HL70357|I']);
  });

  it.each(['2.3', '2.4'])('v%s: each ERR-1 holds at most 80 characters', (version) => {
    const err = segmentsOf(buildAck(ackContextOf(message(version), 'A03'), 'error', long, issues))[2] as string;
    expect(err).toMatch(/^ERR\|PID\^1\^13\^102&cancelled \(no visit/);
    expect(err.length - 'ERR|'.length).toBeLessThanOrEqual(80);
  });

  it('names every field of many in at most 20 ERRs: the last lists the ones left over', () => {
    const many = Array.from({ length: 28 }, (_, k) => ({ field: `PID-${k + 5}`, message: 'not text in MSH-18' }));
    const errs = segmentsOf(buildAck(ackContextOf(message('2.5.1'), 'A03'), 'error', 'x', many)).filter((s) => s.startsWith('ERR'));
    expect(errs).toHaveLength(20);
    expect(errs[18]).toContain('|PID^1^23|');
    expect(errs[19]).toBe('ERR|||102^9 more fields, PID-24 to PID-32^HL70357|E');
    // ...also within v2.3's ERR-1 of 80 characters, with 60 of them
    const sixty = Array.from({ length: 60 }, (_, k) => ({ field: `PV1-${k + 1}`, message: 'not text in MSH-18' }));
    const v23 = segmentsOf(buildAck(ackContextOf(message('2.3'), 'A03'), 'error', 'x', sixty)).filter((s) => s.startsWith('ERR'));
    expect(v23[19]).toBe('ERR|^^^102&41 more fields, PV1-20 to PV1-60&HL70357');
  });

  it('v2.5 on: the text of ERR-3 holds at most 199 characters', () => {
    const err = segmentsOf(buildAck(ackContextOf(message('2.5.1'), 'A03'), 'error', long, issues))[2] as string;
    const text = err.split('|')[3]?.split('^')[1] as string;
    expect(text.length).toBeLessThanOrEqual(199);
    expect(text.length).toBeGreaterThan(150);
  });
});
