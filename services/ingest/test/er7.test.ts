import { describe, expect, it } from 'vitest';
import { component, Er7Error, encodeText, escapeEr7, fieldValue, parseEr7, rawField, unescapeEr7 } from '../src/adapters/hl7/er7.ts';
import { fixture } from './helpers.ts';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const D = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

describe('parseEr7', () => {
  it('decodes ISO-8859-1 by MSH-18 (8859/1), and when MSH-18 is empty', () => {
    const msg = parseEr7(fixture('lifecare/a03-adult-fi.hl7'));
    expect(msg.charset).toBe('latin1');
    expect(component(msg, 'PID', 11, 3)).toBe('Kyyjärvi');
    expect(component(msg, 'PV1', 7, 2)).toBe('Lääkäri');
    const bare = parseEr7(latin1('MSH|^~\\&|A|B|C|D|20250101||ADT^A03|1|P|2.3\rPID|1||||M\xe4ki\r'));
    expect(component(bare, 'PID', 5)).toBe('Mäki');
  });

  it('decodes UTF-8 when MSH-18 says UNICODE UTF-8, and refuses bytes that are not', () => {
    const text = 'MSH|^~\\&|A|B|C|D|20250101||ADT^A03|1|P|2.3||||||UNICODE UTF-8\rPID|1||||Mäkelä\r';
    expect(component(parseEr7(Buffer.from(text, 'utf8')), 'PID', 5)).toBe('Mäkelä');
    expect(() => parseEr7(Buffer.from(text, 'latin1'))).toThrow(/MSH-18/);
  });

  it('refuses a character set it does not know, naming MSH-18', () => {
    expect(() => parseEr7(latin1('MSH|^~\\&|A|B|C|D|1||ADT^A03|1|P|2.3||||||ISO IR87\r'))).toThrow(Er7Error);
  });

  it('splits segments on CR, LF or CRLF and ignores blank lines', () => {
    for (const sep of ['\r', '\n', '\r\n', '\r\r\n']) {
      const msg = parseEr7(latin1(['MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3', 'EVN|A03', 'PID|1||id'].join(sep) + sep));
      expect(msg.segments.map((s) => s[0])).toEqual(['MSH', 'EVN', 'PID']);
      expect(rawField(msg, 'MSH', 10)).toBe('X1');
    }
  });

  it('takes a raw LF in a field of an LF-only message, and a real segment of any name after a lone LF in a CR message', () => {
    const lfOnly = parseEr7(
      latin1('MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\nPID|1||id||||||||Testikatu 1\nB 12^^K||||||||||||||||||||Y\nPV1|1|O\n'),
    );
    expect(lfOnly.segments.map((s) => s[0])).toEqual(['MSH', 'PID', 'PV1']);
    expect(rawField(lfOnly, 'PID', 11)).toBe('Testikatu 1\nB 12^^K');
    expect(lfOnly.segments[1]?.at(-1)).toBe('Y');
    const drg = parseEr7(latin1('MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\rPID|1||id\rPV1|1|O\nDRG|1|X\nPDA|1\r'));
    expect(drg.segments.map((s) => s[0])).toEqual(['MSH', 'PID', 'PV1', 'DRG', 'PDA']);
    const z12 = parseEr7(latin1('MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\rPID|1||id||||||||Testikatu 1\nZ12|x\rPV1|1|O\r'));
    expect(z12.segments.map((s) => s[0])).toEqual(['MSH', 'PID', 'PV1']);
  });

  it('reads segments that end in a mix of CR, LF and CRLF', () => {
    for (const text of [
      'MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\rEVN|A03\nPID|1||id\nPV1|1|O\n',
      'MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\r\nEVN|A03\r\nPID|1||id\r\n\nPV1|1|O\n',
    ]) {
      expect(parseEr7(latin1(text)).segments.map((s) => s[0])).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
    }
  });

  it('keeps a raw LF inside a field of a message whose segments end with CR, also before text shaped like a segment', () => {
    for (const after of ['B 12', 'B12||+358401234567']) {
      const msg = parseEr7(latin1(`MSH|^~\\&|A|B|C|D|1||ADT^A03|X1|P|2.3\rPID|1||id||||||||Testikatu 1\n${after}\rPV1|1|O\r`));
      expect(msg.segments.map((s) => s[0])).toEqual(['MSH', 'PID', 'PV1']);
      expect(rawField(msg, 'PID', 11)).toBe(`Testikatu 1\n${after.split('|')[0]}`);
    }
  });

  it('numbers MSH fields with MSH-1 as the separator itself', () => {
    const msg = parseEr7(fixture('lifecare/a03-adult-fi.hl7'));
    expect(rawField(msg, 'MSH', 1)).toBe('|');
    expect(rawField(msg, 'MSH', 2)).toBe('^~\\&');
    expect(rawField(msg, 'MSH', 9)).toBe('ADT^A03');
    expect(rawField(msg, 'MSH', 18)).toBe('8859/1');
  });

  it('takes the delimiters the message declares', () => {
    const msg = parseEr7(latin1('MSH#*@!%#A#B#C#D#1##ADT*A03#X#P#2.3\rPID#1##a*b@c*d%e\r'));
    expect(component(msg, 'MSH', 9, 2)).toBe('A03');
    expect(fieldValue(msg, 'PID', 3)).toEqual([
      [['a'], ['b']],
      [['c'], ['d', 'e']],
    ]);
  });

  it('refuses what is not HL7', () => {
    expect(() => parseEr7(latin1('{"resourceType":"Bundle"}'))).toThrow(/MSH/);
    expect(() => parseEr7(latin1('MSH|^~|A'))).toThrow(/MSH-2/);
    expect(() => parseEr7(latin1('MSH|^~\\&|A\rthis is not a segment\r'))).toThrow(/segment 2/);
  });
});

describe('escapes', () => {
  it('decodes the delimiter escapes, hex and line breaks', () => {
    expect(unescapeEr7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', D, 'latin1')).toBe('a|b^c&d~e\\f');
    expect(unescapeEr7('M\\XE4\\ki', D, 'latin1')).toBe('Mäki');
    expect(unescapeEr7('M\\XC3A4\\ki', D, 'utf-8')).toBe('Mäki');
    expect(unescapeEr7('one\\.br\\two', D, 'latin1')).toBe('one\ntwo');
    expect(unescapeEr7('\\H\\bold\\N\\', D, 'latin1')).toBe('bold');
    expect(unescapeEr7('lone \\ escape', D, 'latin1')).toBe('lone \\ escape');
  });
  it('unescapes per component, after splitting', () => {
    const pv1 = ['PV1', '1', 'O', ...Array(16).fill(''), 'V\\F\\1^x\\S\\y'].join('|');
    const msg = parseEr7(latin1(`MSH|^~\\&|A|B|C|D|1||ADT^A03|X|P|2.3\r${pv1}\r`));
    expect(fieldValue(msg, 'PV1', 19)).toEqual([[['V|1'], ['x^y']]]);
  });
  it('round-trips through escapeEr7', () => {
    const text = 'a|b^c&d~e\\f';
    expect(unescapeEr7(escapeEr7(text, D), D, 'latin1')).toBe(text);
  });
  it('writes control characters as hex escapes, so an MLLP frame byte quoted in an ACK cannot break the frame', () => {
    expect(escapeEr7('segment 5: "\x0b\x0bM" \x1c\x00\x7f', D)).toBe('segment 5: "\\X0B\\\\X0B\\M" \\X1C\\\\X00\\\\X7F\\');
    expect(unescapeEr7(escapeEr7('a\x0bb', D), D, 'latin1')).toBe('a\x0bb');
  });

  it('encodes an ACK text in latin1 as is, and what latin1 cannot hold as one ? per character', () => {
    expect(encodeText('MSA|AA|Mäki', 'latin1')).toEqual(Buffer.from('MSA|AA|M\xe4ki', 'latin1'));
    expect(encodeText('hinta 5 €, 👍 ok', 'latin1').toString('latin1')).toBe('hinta 5 ?, ? ok');
    expect(encodeText('Mäki €', 'utf-8')).toEqual(Buffer.from('Mäki €', 'utf8'));
  });
});
