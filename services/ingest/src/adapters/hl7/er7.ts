/**
 * HL7 v2 ER7 ("pipe and hat") reading: bytes decoded by MSH-18, segments, fields, repetitions,
 * components and sub-components, and the escape sequences of HL7 v2 chapter 2. Written by hand:
 * it is small, and it has to decode ISO-8859-1 by MSH-18 and unescape per component, which the
 * general libraries leave to the caller.
 */

/** The message can't be read as HL7 at all (no MSH, broken encoding characters, bad bytes). */
export class Er7Error extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'Er7Error';
    this.field = field;
  }
}

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export type Charset = 'latin1' | 'utf-8' | 'iso-8859-15';

export interface Er7Message {
  delimiters: Delimiters;
  charset: Charset;
  /** MSH-18 as sent (empty when the sender left it out: ISO-8859-1 then). */
  charsetName: string;
  segments: string[][];
}

const CHARSETS: Record<string, Charset> = {
  '': 'latin1',
  '8859/1': 'latin1',
  ASCII: 'latin1',
  '8859/15': 'iso-8859-15',
  'UNICODE UTF-8': 'utf-8',
  'UNICODE UTF8': 'utf-8',
  'UTF-8': 'utf-8',
};

/** Whether MSH-18 names a character set Kaiku reads (and so may be echoed in an ACK written in ASCII). */
export const isKnownCharsetName = (name: string) => Object.hasOwn(CHARSETS, name.trim().toUpperCase());

function decodeBytes(bytes: Uint8Array, charset: Charset): string {
  if (charset === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return new TextDecoder(charset, { fatal: true }).decode(bytes);
}

/** The delimiters from MSH-1 and MSH-2, read from the first bytes (always ASCII). */
function delimitersOf(head: string): Delimiters {
  if (/^[FB]HS/.test(head)) throw new Er7Error('MSH', 'a batch (FHS/BHS) is not taken: send each message on its own');
  if (!head.startsWith('MSH')) throw new Er7Error('MSH', 'the message does not start with an MSH segment');
  const field = head[3];
  const encoding = head.slice(4, 8);
  if (!field || /[A-Za-z0-9\r\n]/.test(field)) throw new Er7Error('MSH-1', 'no field separator');
  const [component = '', repetition = '', escapeChar = '', subcomponent = ''] = encoding;
  const chars = [field, component, repetition, escapeChar, subcomponent];
  if (chars.some((c) => c === '' || /[A-Za-z0-9\r\n]/.test(c)) || new Set(chars).size !== 5) {
    throw new Er7Error('MSH-2', 'the encoding characters must be four distinct separators such as ^~\\&');
  }
  return { field, component, repetition, escape: escapeChar, subcomponent };
}

/** Segment names with a digit that HL7 v2 has; every other real name is three letters (a Z-segment: Z and a letter first). */
const DIGIT_SEGMENT = /^(PD1|PV1|PV2|NK1|AL1|DG1|PR1|IN1|IN2|IN3|GT1|UB1|UB2|DB1|RF1|OM[1-7]|Z[A-Z][0-9])$/;

/**
 * The message's segment lines, split on CR, CRLF or LF (senders mix them). After a lone LF a new
 * segment starts only where a segment name and the field separator follow; otherwise the LF was
 * a raw one inside a field ("Testikatu 1<LF>B 12") and stays in it. In a message whose segments
 * end with CR the name must be a real one (three letters, or PV1 and the like), so that
 * "Testikatu 1<LF>B12|…" does not cut PID short; in one with no CR at all any name-shaped line
 * ends the segment before it (a bad name is then refused, not glued into the previous segment).
 */
function segmentLines(text: string, field: string): string[] {
  const parts = text.split(/(\r\n|\r|\n)/);
  const crMessage = text.includes('\r');
  const startsSegment = (line: string) => {
    const name = line.slice(0, 3);
    const named = crMessage ? /^[A-Z]{3}$/.test(name) || DIGIT_SEGMENT.test(name) : /^[A-Za-z][A-Za-z0-9]{2}$/.test(name);
    return named && (line.length === 3 || line.startsWith(field, 3));
  };
  const lines: string[] = [parts[0] ?? ''];
  for (let k = 1; k < parts.length; k += 2) {
    const [separator, line] = [parts[k], parts[k + 1] ?? ''];
    if (separator === '\n' && line.trim() !== '' && !startsSegment(line)) lines[lines.length - 1] += `\n${line}`;
    else lines.push(line);
  }
  return lines;
}

/** Splits bytes into one message: decoded by MSH-18, segments split on CR, LF or CRLF. */
export function parseEr7(bytes: Uint8Array): Er7Message {
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x20)) start++;
  if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3; // a UTF-8 byte order mark
  const body = bytes.subarray(start);
  // The MSH segment up to MSH-18 is ASCII in every charset HL7 allows here.
  const firstEnd = body.findIndex((b) => b === 0x0d || b === 0x0a);
  const head = Buffer.from(body.subarray(0, firstEnd < 0 ? body.length : firstEnd)).toString('latin1');
  const delimiters = delimitersOf(head);
  const mshFields = head.split(delimiters.field);
  const charsetName = (mshFields[17] ?? '').split(delimiters.repetition)[0]?.trim().toUpperCase() ?? '';
  const charset = CHARSETS[charsetName];
  if (!charset) throw new Er7Error('MSH-18', `character set "${charsetName}" is not supported (use 8859/1 or UNICODE UTF-8)`);
  let text: string;
  try {
    text = decodeBytes(body, charset);
  } catch {
    throw new Er7Error('MSH-18', `the message is not valid ${charsetName}`);
  }
  const segments = segmentLines(text, delimiters.field)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.split(delimiters.field));
  const headers = segments.filter((seg) => seg[0] === 'MSH').length;
  if (headers > 1) {
    // A second message would otherwise be acknowledged with the first and lost.
    throw new Er7Error('MSH', `one message at a time: found ${headers} MSH segments (send each message in its own request or MLLP frame)`);
  }
  for (const [i, seg] of segments.entries()) {
    if (!/^[A-Z][A-Z0-9]{2}$/.test(seg[0] ?? ''))
      throw new Er7Error(`segment ${i + 1}`, `"${(seg[0] ?? '').slice(0, 3)}" is not a segment name`);
  }
  return { delimiters, charset, charsetName, segments };
}

/** One field's raw text (escapes intact). MSH-n counts MSH-1 as the field separator itself. */
export function rawField(message: Er7Message, segment: string, n: number, occurrence = 0): string {
  const seg = message.segments.filter((s) => s[0] === segment)[occurrence];
  if (!seg) return '';
  if (segment === 'MSH') return n === 1 ? message.delimiters.field : (seg[n - 1] ?? '');
  return seg[n] ?? '';
}

export function hasSegment(message: Er7Message, segment: string): boolean {
  return message.segments.some((s) => s[0] === segment);
}

/** A field's repetitions, each split into components, each into unescaped sub-components. */
export function fieldValue(message: Er7Message, segment: string, n: number): string[][][] {
  const raw = rawField(message, segment, n);
  if (raw === '') return [];
  const d = message.delimiters;
  const reps = segment === 'MSH' && n === 2 ? [raw] : raw.split(d.repetition);
  try {
    return reps.map((rep) =>
      rep.split(d.component).map((component) => component.split(d.subcomponent).map((sub) => unescapeEr7(sub, d, message.charset))),
    );
  } catch (error) {
    // unescapeEr7 does not know where it is: the field is named here.
    if (error instanceof Er7Error && error.field === '') throw new Er7Error(`${segment}-${n}`, error.message.replace(/^: /, ''));
    throw error;
  }
}

/**
 * Every field holding an escape whose bytes are not text in the message's charset (only UTF-8 can
 * have them), so that one answer names them all: reading fields one by one stops at the first.
 */
export function undecodableEscapes(message: Er7Message): Er7Error[] {
  if (message.charset !== 'utf-8') return [];
  const found: Er7Error[] = [];
  for (const seg of message.segments) {
    const name = seg[0] ?? '';
    for (let n = 1; n < seg.length; n++) {
      const raw = seg[n] ?? '';
      if (!raw.includes(`${message.delimiters.escape}X`)) continue;
      const field = name === 'MSH' ? n + 1 : n;
      try {
        fieldValue({ ...message, segments: [seg] }, name, field);
      } catch (error) {
        if (error instanceof Er7Error) found.push(error);
        else throw error;
      }
    }
  }
  return found;
}

/** Component `c` (1-based) of repetition `r` (0-based), first sub-component; '' when absent. */
export function component(message: Er7Message, segment: string, n: number, c = 1, r = 0): string {
  return fieldValue(message, segment, n)[r]?.[c - 1]?.[0] ?? '';
}

/** The bytes of a \Xhh…\ escape as text; bytes that are not text in the charset are the sender's error. */
function decodeEscapedBytes(seq: string, charset: Charset): string {
  try {
    return decodeBytes(Buffer.from(seq.slice(1), 'hex'), charset);
  } catch {
    throw new Er7Error('', `the escape \\${seq.slice(0, 20)}\\ is not valid ${charset === 'utf-8' ? 'UTF-8' : charset}`);
  }
}

/** Decodes \F\ \S\ \T\ \R\ \E\, \Xhh…\ (bytes in the message charset) and \.br\; drops highlighting. */
export function unescapeEr7(text: string, d: Delimiters, charset: Charset): string {
  const e = d.escape;
  if (!text.includes(e)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch !== e) {
      out += ch;
      i++;
      continue;
    }
    const end = text.indexOf(e, i + 1);
    if (end < 0) {
      out += text.slice(i); // a lone escape character: kept as it is
      break;
    }
    const seq = text.slice(i + 1, end);
    i = end + 1;
    if (seq === 'F') out += d.field;
    else if (seq === 'S') out += d.component;
    else if (seq === 'T') out += d.subcomponent;
    else if (seq === 'R') out += d.repetition;
    else if (seq === 'E') out += e;
    else if (seq === '.br') out += '\n';
    else if (/^X([0-9A-Fa-f]{2})+$/.test(seq)) out += decodeEscapedBytes(seq, charset);
    else if (seq === 'H' || seq === 'N' || /^[CM][0-9A-Fa-f]+$/.test(seq)) {
      // highlighting on/off and character-set switches carry no text
    } else out += `${e}${seq}${e}`;
  }
  return out;
}

/** Escapes text for an ER7 field (used in ACK text). */
export function escapeEr7(text: string, d: Delimiters): string {
  let out = '';
  for (const ch of text) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (ch === '\r' || ch === '\n') out += ' ';
    // Other control characters (an MLLP frame byte quoted from a broken message) as hex escapes.
    else if (ch < ' ' || ch === '\x7f') out += `${d.escape}X${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}${d.escape}`;
    else out += ch;
  }
  return out;
}

/** `text` escaped in at most `max` characters (a field's length in the standard): cut at a whole character or escape, "..." marking the cut. */
export function escapeEr7Within(text: string, max: number, d: Delimiters): string {
  const whole = escapeEr7(text, d);
  if (whole.length <= max) return whole;
  let out = '';
  for (const ch of text) {
    const piece = escapeEr7(ch, d);
    if (out.length + piece.length > max - 3) break;
    out += piece;
  }
  return `${out.trimEnd()}...`;
}

const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/** The eight places where ISO-8859-15 differs from ISO-8859-1: its character → byte. */
const LATIN9: ReadonlyMap<string, number> = new Map([
  ['€', 0xa4],
  ['Š', 0xa6],
  ['š', 0xa8],
  ['Ž', 0xb4],
  ['ž', 0xb8],
  ['Œ', 0xbc],
  ['œ', 0xbd],
  ['Ÿ', 0xbe],
]);
/** The bytes 8859-1 uses for other characters there (¤, ¦, ¨ …), which 8859-15 does not have. */
const LATIN9_REPLACED = new Set(LATIN9.values());

/**
 * Encodes text in a message charset (ACKs go back in the charset the sender used: an echoed
 * MSH-10 `LC€1` must come back byte for byte, or the sender never matches its ACK). A character the
 * charset has not is `?`.
 */
export function encodeText(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  if (charset === 'latin1') {
    if (!BEYOND_LATIN1.test(text)) return Buffer.from(text, 'latin1');
    return Buffer.from(Array.from(text, (ch) => ((ch.codePointAt(0) ?? 0) > 0xff ? '?' : ch)).join(''), 'latin1');
  }
  return Buffer.from(
    Array.from(text, (ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return LATIN9.get(ch) ?? (code > 0xff || LATIN9_REPLACED.has(code) ? 0x3f : code);
    }),
  );
}
