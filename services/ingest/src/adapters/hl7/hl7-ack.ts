import type { FieldIssue } from '../adapter-error.ts';
import { type Charset, type Delimiters, type Er7Message, encodeText, escapeEr7Within, isKnownCharsetName, rawField } from './er7.ts';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** What happened to the message, before it is said in HL7. */
export type AckResult = 'accepted' | 'error' | 'rejected' | 'unavailable';

const ORIGINAL: Record<AckResult, AckCode> = { accepted: 'AA', error: 'AE', rejected: 'AR', unavailable: 'AR' };
// Enhanced mode: a commit ACK says whether the message is safely stored. "Commit error" asks the
// sender to send it again; "commit reject" says it never will be taken.
const ENHANCED: Record<AckResult, AckCode> = { accepted: 'CA', error: 'CE', rejected: 'CR', unavailable: 'CE' };

/** Error codes of HL7 table 0357. */
const ERROR_CODE: Record<Exclude<AckResult, 'accepted'>, string> = { error: '102', rejected: '200', unavailable: '207' };

const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** The header of the message being answered; what can be read of it when it is broken. */
export interface AckContext {
  delimiters: Delimiters;
  charset: Charset;
  charsetName: string;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  trigger: string;
  controlId: string;
  processingId: string;
  version: string;
  /** MSH-15: AL, ER, SU, NE in enhanced mode; '' in original mode. */
  acceptAckType: string;
}

/** A field of the message echoed in its ACK, without control characters (an MLLP frame byte in it would break the frame). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const echoed = (raw: string) => raw.replace(/[\x00-\x1f\x7f]/g, '');

export function ackContextOf(msg: Er7Message, trigger: string): AckContext {
  return {
    delimiters: msg.delimiters,
    charset: msg.charset,
    charsetName: echoed(rawField(msg, 'MSH', 18)),
    sendingApp: echoed(rawField(msg, 'MSH', 3)),
    sendingFacility: echoed(rawField(msg, 'MSH', 4)),
    receivingApp: echoed(rawField(msg, 'MSH', 5)),
    receivingFacility: echoed(rawField(msg, 'MSH', 6)),
    trigger,
    controlId: echoed(rawField(msg, 'MSH', 10)),
    processingId: echoed(rawField(msg, 'MSH', 11)),
    version: echoed(rawField(msg, 'MSH', 12)),
    acceptAckType: rawField(msg, 'MSH', 15).trim().toUpperCase(),
  };
}

/** Best effort for bytes that did not parse: the first line split on `|`, ASCII only. */
export function ackContextOfUnreadable(bytes: Uint8Array): AckContext {
  const head =
    Buffer.from(bytes.subarray(0, 1024))
      .toString('latin1')
      .split(/[\r\n]/)[0] ?? '';
  const fields = head.startsWith('MSH|') ? head.split('|') : [];
  const safe = (v: string | undefined) => (v ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 199);
  return {
    delimiters: DEFAULT_DELIMITERS,
    charset: 'latin1',
    // MSH-18 echoed when it names a charset this ASCII-only ACK is also valid in (UTF-8 bytes that
    // were not valid UTF-8); one Kaiku does not read (UNICODE, UCS-2) would misname it.
    charsetName: isKnownCharsetName(safe(fields[17])) ? safe(fields[17]) : '',
    sendingApp: safe(fields[2]),
    sendingFacility: safe(fields[3]),
    receivingApp: safe(fields[4]),
    receivingFacility: safe(fields[5]),
    trigger: safe(fields[8]?.split('^')[1]),
    controlId: safe(fields[9]),
    processingId: safe(fields[10]) || 'P',
    version: safe(fields[11]) || '2.3',
    // A sender in enhanced mode gets the commit reject (CR) it reads, not AR (an interface-engine probe).
    acceptAckType: safe(fields[14]).trim().toUpperCase(),
  };
}

export function isEnhancedMode(ctx: AckContext): boolean {
  return ['AL', 'ER', 'SU', 'NE'].includes(ctx.acceptAckType);
}

/** Whether the sender asked for this ACK (enhanced mode: AL always, NE never, ER on errors, SU on success). */
export function ackWanted(ctx: AckContext, result: AckResult): boolean {
  if (!isEnhancedMode(ctx)) return true;
  if (ctx.acceptAckType === 'NE') return false;
  if (ctx.acceptAckType === 'ER') return result !== 'accepted';
  if (ctx.acceptAckType === 'SU') return result === 'accepted';
  return true;
}

export function ackCodeFor(ctx: AckContext, result: AckResult): AckCode {
  return (isEnhancedMode(ctx) ? ENHANCED : ORIGINAL)[result];
}

let sequence = 0;
function ackControlId(now: Date): string {
  sequence = (sequence + 1) % 1_000_000;
  return `K${now.getTime().toString(36).toUpperCase()}${sequence.toString().padStart(6, '0')}`;
}

function hl7Timestamp(now: Date): string {
  return `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}

/** Whether a message's MSH-12 is HL7 v2.`minor` or later (v2.10 and on count as later). */
const versionFrom = (version: string, minor: number) => Number(/^2\.(\d+)/.exec(version.trim())?.[1] ?? 0) >= minor;
/** From v2.5 on, ERR-1 is withdrawn for ERR-2 (location), ERR-3 (the 0357 code) and ERR-4 (severity). */
const isV25OrLater = (version: string) => versionFrom(version, 5);
/** From v2.7 on, MSA-3 (text message) is withdrawn: the text goes only in ERR. */
const isV27OrLater = (version: string) => versionFrom(version, 7);

// Lengths the standard gives (an interface-engine probe: a profile-validating engine flags longer ones):
// MSA-3 ST 80 (v2.3–2.6); ERR-1 ELD 80 (v2.3–2.4); ERR-3's text, CWE.2 ST 199 (v2.5 on).
const MSA_TEXT_MAX = 80;
const ELD_MAX = 80;
const CWE_TEXT_MAX = 199;
const MAX_ERRS = 20;

/** ERR-1 (v2.3) and ERR-2 (v2.5): segment ^ sequence ^ field position. */
function errLocation(field: string, c: string): string {
  // A segment name and its field ("PID-3", "MSH"); not the first letters of something else ("MLLP").
  const m = /^([A-Z][A-Z0-9]{2})(?:-(\d+))?(?![A-Za-z0-9])/.exec(field);
  return m ? [m[1], '1', m[2] ?? ''].join(c) : c.repeat(2);
}

/** MSA-3's text: when it is too long for it and names several fields, those fields first (each has its ERR). */
function shortText(text: string, issues: FieldIssue[]): string {
  const fields = [...new Set(issues.map((i) => i.field).filter(Boolean))];
  return text.length <= MSA_TEXT_MAX || fields.length < 2 ? text : `${fields.join(', ')}: one ERR segment each says what is wrong`;
}

/** The ACK message (MSH, MSA and one ERR per issue), encoded in the charset of the message answered. */
export function buildAck(ctx: AckContext, result: AckResult, text: string, issues: FieldIssue[] = [], now = new Date()): Buffer {
  const d = ctx.delimiters;
  const f = d.field;
  const code = ackCodeFor(ctx, result);
  const v25 = isV25OrLater(ctx.version);
  const msh = [
    'MSH',
    `${d.component}${d.repetition}${d.escape}${d.subcomponent}`,
    ctx.receivingApp || 'KAIKU',
    ctx.receivingFacility,
    ctx.sendingApp,
    ctx.sendingFacility,
    hl7Timestamp(now),
    '',
    // v2.5 names the message structure too (MSH-9.3).
    ctx.trigger ? `ACK${d.component}${ctx.trigger}${v25 ? `${d.component}ACK` : ''}` : 'ACK',
    ackControlId(now),
    ctx.processingId || 'P',
    ctx.version || '2.3',
    '',
    '',
    '',
    '',
    '',
    ctx.charsetName,
  ];
  while (msh.length > 12 && msh[msh.length - 1] === '') msh.pop();
  const msaText = isV27OrLater(ctx.version) ? '' : escapeEr7Within(shortText(text, issues), MSA_TEXT_MAX, d);
  const segments = [msh.join(f), ['MSA', code, ctx.controlId, ...(msaText ? [msaText] : [])].join(f)];
  // v2.7 on: what became of an accepted message (skipped, cancelled …) in an ERR of severity I
  // (information), code 0 "message accepted": with no MSA-3 it was said nowhere (a regression probe).
  if (result === 'accepted' && isV27OrLater(ctx.version) && text) {
    segments.push(['ERR', '', '', ['0', escapeEr7Within(text, CWE_TEXT_MAX, d), 'HL70357'].join(d.component), 'I'].join(f));
  }
  if (result !== 'accepted') {
    const errorCode = ERROR_CODE[result];
    const all: FieldIssue[] = issues.length ? issues : [{ field: '', message: text }];
    // At most 20 ERRs; the last names the fields left over, the first and the last of them (a list
    // did not fit ERR-1's 80 characters; regression probes: 28 bad fields, 8 named nowhere).
    const rest = all.slice(MAX_ERRS - 1);
    const span = `${rest[0]?.field} to ${rest[rest.length - 1]?.field}`;
    const list =
      all.length <= MAX_ERRS ? all : [...all.slice(0, MAX_ERRS - 1), { field: '', message: `${rest.length} more fields, ${span}` }];
    for (const issue of list) {
      const issueCode = issue.hl7Code ?? errorCode;
      if (v25) {
        const cwe = [issueCode, escapeEr7Within(issue.message, CWE_TEXT_MAX, d), 'HL70357'].join(d.component);
        // ERR-2 only where there is a place to point at (not for "the database is unavailable")
        const location = /^[A-Z][A-Z0-9]{2}(?![A-Za-z0-9])/.test(issue.field) ? errLocation(issue.field, d.component) : '';
        segments.push(['ERR', '', location, cwe, 'E'].join(f));
      } else {
        const location = `${errLocation(issue.field, d.component)}${d.component}`;
        const room = ELD_MAX - location.length - issueCode.length - 'HL70357'.length - 2;
        const cwe = [issueCode, escapeEr7Within(issue.message, Math.max(room, 10), d), 'HL70357'].join(d.subcomponent);
        segments.push(['ERR', `${location}${cwe}`].join(f));
      }
    }
  }
  return encodeText(`${segments.join('\r')}\r`, ctx.charset);
}
