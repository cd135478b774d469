import { isCalendarDateTime, parseHetu, type VisitEventInput, zonedInstant } from '@kaiku/core';
import { type FieldIssue, SourceMessageError } from './adapter-error.ts';
import { component, type Er7Message, fieldValue, hasSegment, rawField } from './hl7/er7.ts';

export const LIFECARE_SOURCE = 'lifecare';

/** HL7 Finland: the OID of the population register's personal identity codes (PID-3.4). */
export const HETU_OID = '1.2.246.21';

const KINDS: Record<string, VisitEventInput['kind']> = {
  A03: 'visit-ended',
  A11: 'visit-cancelled',
  A13: 'visit-cancelled',
  A08: 'patient-updated',
  A31: 'patient-updated',
};
export const SUPPORTED_EVENTS = Object.keys(KINDS);

/** Canonical paths → the HL7 fields they come from (for AE ACKs that name the field). */
export const LIFECARE_FIELDS: Record<string, string> = {
  source: 'MSH-3',
  sourceEventId: 'MSH-10',
  kind: 'MSH-9',
  visitId: 'PV1-19',
  endedAt: 'PV1-45',
  recordedAt: 'EVN-2',
  unit: 'PV1-39',
  'unit.id': 'PV1-39',
  service: 'PV1-10',
  patient: 'PID',
  'patient.personalId': 'PID-3',
  'patient.birthDate': 'PID-7',
  'patient.mobilePhones': 'PID-13',
  'patient.languages': 'PID-15',
  'patient.nonDisclosure': 'PD1-12',
  'patient.deceased': 'PID-30',
};

/** The message type as `ADT^A03` (MSH-9.1 ^ MSH-9.2, or EVN-1 for the trigger). */
export function messageType(msg: Er7Message): { type: string; trigger: string } {
  const type = component(msg, 'MSH', 9, 1).toUpperCase();
  const trigger = (component(msg, 'MSH', 9, 2) || component(msg, 'EVN', 1, 1)).toUpperCase();
  return { type, trigger };
}

const TS = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(?:(\d{2})(?:\.\d{1,4})?)?)?([+-]\d{4})?$/;
/** PID-15.2 alone: the language's name, in Finnish, Swedish or English. */
const LANGUAGE_NAMES: Record<string, string> = {
  suomi: 'fi',
  finska: 'fi',
  finnish: 'fi',
  ruotsi: 'sv',
  svenska: 'sv',
  swedish: 'sv',
  englanti: 'en',
  engelska: 'en',
  english: 'en',
};

/** An HL7 TS (`YYYYMMDDHHMM[SS[.S]][+ZZZZ]`) as an ISO instant; no offset = the county's local time. */
export function hl7Instant(ts: string, timeZone: string): string | null {
  const m = TS.exec(ts.trim());
  if (!m || m[4] === undefined) return null;
  // Minutes may be left out (hour precision, "2026112615"); seconds too.
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5] ?? '00', m[6] ?? '00'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1900 || !isCalendarDateTime(y, mo, d, h, mi, s)) return null;
  const offset = m[7];
  if (offset) {
    const sign = offset[0] === '-' ? -1 : 1;
    if (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(3, 5)) > 59) return null;
    const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
    return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - minutes * 60_000).toISOString();
  }
  return new Date(zonedInstant(timeZone, y, mo, d, h, mi).getTime() + s * 1000).toISOString();
}

function hl7Date(ts: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(ts.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/**
 * PID-7: a day (the time after it, if any, is dropped); a year or a year and month alone leaves the
 * day to the hetu; anything else is passed on as written, to be refused naming PID-7.
 */
function birthDateOf(value: string): { birthDate?: string } {
  const day = hl7Date(value);
  if (day) return { birthDate: day };
  return value.trim() === '' || /^\d{4}(\d{2})?$/u.test(value.trim()) ? {} : { birthDate: value.trim() };
}

/** A hetu's shape: six digits, a century sign, three digits and a check character. */
const HETU_SHAPE = /^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/i;

/**
 * PID-3: the repetition whose assigning authority is the hetu OID (or whose type is NNFIN); else one
 * that names no authority and no type but has a hetu's shape. Dropped, that hetu would take the
 * patient's same-day and recently-surveyed checks with it; read, it is checked like any other.
 * Two different codes (two labelled ones, or two valid unlabelled ones) are a `conflict`.
 */
function personalIdOf(msg: Er7Message): { value?: string; conflict?: true } {
  const isHetuOid = (v: string | undefined) => v === HETU_OID || v === `urn:oid:${HETU_OID}`;
  // Each code once, as compared (case, spaces) → as sent.
  const labelled = new Map<string, string>();
  const unlabelled = new Map<string, string>();
  const add = (codes: Map<string, string>, value: string) => {
    const key = value.trim().toUpperCase();
    if (!codes.has(key)) codes.set(key, value);
  };
  for (const rep of fieldValue(msg, 'PID', 3)) {
    const value = hl7Value(rep[0]?.[0] ?? '');
    if (!value) continue;
    // The assigning authority as a namespace (`^^^1.2.246.21`) or as HD's universal id (`^^^&1.2.246.21&ISO`).
    const type = (rep[4]?.[0] ?? '').toUpperCase();
    if (isHetuOid(rep[3]?.[0]) || isHetuOid(rep[3]?.[1]) || type === 'NNFIN') add(labelled, value);
    else if (!type && !(rep[3] ?? []).some((part) => part.trim() !== '') && HETU_SHAPE.test(value)) add(unlabelled, value);
  }
  // Two different identity codes for one patient: which is theirs is not ours to guess. (Of unlabelled
  // ones, only valid codes count: a hetu-shaped local number beside the hetu is no second code.)
  const valid = new Map([...unlabelled].filter(([, v]) => parseHetu(v).ok));
  const codes = labelled.size ? labelled : valid.size ? valid : unlabelled;
  if (codes.size > 1) return { conflict: true };
  const [first] = codes.values();
  return { value: first };
}

/** An OID: 0, 1 or 2 and at least three more arcs (unit OIDs are 1.2.246.…); a code such as "10.1" is none. */
const OID_VALUE = /^(urn:oid:)?[0-2](\.\d+){3,}$/iu;

/**
 * The unit in a PV1 component: an HD's universal id when it is an OID (`&1.2.246.10.…&ISO`, also
 * after a name: `Kyyjärvi&1.2.246.10.…&ISO`), else the value itself.
 */
function unitOidOf(msg: Er7Message, field: number, componentNo: number): string {
  const universal = hl7Value(fieldValue(msg, 'PV1', field)[0]?.[componentNo - 1]?.[1] ?? '');
  if (OID_VALUE.test(universal)) return universal;
  return hl7Value(component(msg, 'PV1', field, componentNo)) || universal;
}

/**
 * PID-13, and PID-40 where v2.7 on puts the patient's numbers: every telephone repetition (not
 * fax, e-mail, pager); the number (XTN.1, or XTN.12 "unformatted", which v2.5 on prefers) or its
 * parts. (An interface-engine probe: a v2.8 message with its number in PID-40 was `skipped: no-mobile`.)
 */
function phonesOf(msg: Er7Message): string[] {
  const phones: string[] = [];
  for (const rep of [...fieldValue(msg, 'PID', 13), ...fieldValue(msg, 'PID', 40)]) {
    const equipment = (rep[2]?.[0] ?? '').toUpperCase();
    if (equipment === 'FX' || equipment === 'INTERNET' || equipment === 'X.400' || equipment === 'BP' || equipment === 'MD') continue;
    // Not the patient's own phone: an emergency contact's, an answering service, a beeper.
    if (NOT_OWN_USE.has((rep[1]?.[0] ?? '').toUpperCase())) continue;
    const number = rep[0]?.[0]?.trim() || rep[11]?.[0]?.trim() || '';
    if (number.length > 64) continue; // not a phone number
    const [country = '', area = '', local = ''] = [rep[4]?.[0], rep[5]?.[0], rep[6]?.[0]].map((p) => p?.trim() ?? '');
    if (number === '""') continue; // the whole field "" is handled by the caller: no mobile any more
    if (number) phones.push(number);
    // Parts: country code, area code, number; without a country code the area code is dialled as
    // written ("040"), with a trunk 0 added when it lacks one ("40").
    else if (local) {
      const dialled = country ? area.replace(/^0/, '') : area === '' || area.startsWith('0') ? area : `0${area}`;
      phones.push(`${country ? `+${country.replace(/^\+/, '')}` : ''}${dialled}${local}`);
    }
  }
  return phones.slice(0, 10); // more is not one patient's phones; the schema takes ten
}
const NOT_OWN_USE = new Set(['EMR', 'ASN', 'BPN']);
/** A field sent as `""`: HL7's explicit null. */
const explicitNull = (msg: Er7Message, segment: string, field: number) => rawField(msg, segment, field).trim() === '""';

const yes = (value: string) => value.trim().toUpperCase() === 'Y';
/** HL7's `""` is an explicit null, not a value. */
const present = (value: string) => value.trim() !== '' && value.trim() !== '""';
/** A component's value, trimmed; `""` (HL7's explicit null) is no value. */
const hl7Value = (value: string) => (present(value) ? value.trim() : '');

/** Segments an ADT message holds once: a second one (another patient or visit glued in) would be passed over unread. */
const SINGLE_SEGMENTS = ['EVN', 'PID', 'PD1', 'PV1'];

/** An issue (HL7 error 100, segment sequence) for each of them the message holds more than once. */
function repeatedSegments(msg: Er7Message): FieldIssue[] {
  return SINGLE_SEGMENTS.flatMap((name) => {
    const n = msg.segments.filter((seg) => seg[0] === name).length;
    return n > 1
      ? [{ field: name, message: `${n} ${name} segments: an ADT message holds one (send each visit in its own message)`, hl7Code: '100' }]
      : [];
  });
}

/**
 * Maps a Lifecare ADT message (HL7 v2.3, HL7 Finland) to a canonical VisitEvent input, to be
 * validated by the canonical schema. Throws SourceMessageError naming the HL7 fields at fault.
 */
export function lifecareToVisitEvent(msg: Er7Message, timeZone: string): VisitEventInput {
  const { type, trigger } = messageType(msg);
  const kind = type === 'ADT' ? KINDS[trigger] : undefined;
  if (!kind) {
    throw new SourceMessageError('unsupported', [
      {
        field: 'MSH-9',
        message: `message type ${type || '(empty)'}^${trigger || '(empty)'} is not supported (ADT^${SUPPORTED_EVENTS.join('/')})`,
        // HL7 table 0357: an ADT of another event is 201 (unsupported event code), another type 200
        hl7Code: type === 'ADT' ? '201' : '200',
      },
    ]);
  }
  const issues: FieldIssue[] = [...repeatedSegments(msg)];
  // A cancellation is read from its visit number alone: what it does not use cannot lose it.
  const cancelling = kind === 'visit-cancelled';
  // HL7 table 0357: a missing segment is 100 (segment sequence error), a missing field 101 (required field missing)
  if (!hasSegment(msg, 'PID') && !cancelling) issues.push({ field: 'PID', message: 'the PID segment is missing', hl7Code: '100' });
  // (no PV1 at all: the segment is named, not each of its fields; a regression probe)
  const noVisitSegment = !hasSegment(msg, 'PV1') && kind !== 'patient-updated';
  if (noVisitSegment) issues.push({ field: 'PV1', message: 'the PV1 segment is missing', hl7Code: '100' });
  const visitId = hl7Value(component(msg, 'PV1', 19, 1)) || undefined;
  if (!visitId && kind !== 'patient-updated' && !noVisitSegment)
    issues.push({ field: 'PV1-19', message: 'the visit number is required', hl7Code: '101' });
  // An OID from PV1-39, else from PV1-3.4 (each also as an HD `name&oid&ISO`); else whatever PV1-39
  // or PV1-3.4 holds (a facility code in PV1-39 does not hide the OID in PV1-3.4).
  const [servicing, location] = [unitOidOf(msg, 39, 1), unitOidOf(msg, 3, 4)];
  const unitId = [servicing, location].find((u) => OID_VALUE.test(u)) ?? (servicing || location);
  let endedAt: string | undefined;
  if (kind === 'visit-ended' && !noVisitSegment) {
    const raw = hl7Value(component(msg, 'PV1', 45, 1));
    if (!raw) issues.push({ field: 'PV1-45', message: 'the end time of the visit is required', hl7Code: '101' });
    else {
      endedAt = hl7Instant(raw, timeZone) ?? undefined;
      // The value is not echoed: a misplaced field could hold a hetu.
      if (!endedAt) issues.push({ field: 'PV1-45', message: 'not a date and time (YYYYMMDDHHMM[SS][+ZZZZ])' });
    }
    if (!unitId) issues.push({ field: 'PV1-39', message: 'the unit OID (PV1-39 or PV1-3.4) is required', hl7Code: '101' });
  }
  const { value: personalId, conflict } = personalIdOf(msg);
  const hetu = personalId ? parseHetu(personalId) : null;
  if (hetu && !hetu.ok && !cancelling) issues.push({ field: 'PID-3', message: `not a valid personal identity code: ${hetu.error}` });
  if (conflict && !cancelling) issues.push({ field: 'PID-3', message: 'two different personal identity codes (hetu) for one patient' });
  if (issues.length) throw new SourceMessageError('invalid', issues);

  // PID-15.1 the code; with only the text (PID-15.2 "ruotsi"), the language it names.
  const languageCode = hl7Value(component(msg, 'PID', 15, 1)) || LANGUAGE_NAMES[hl7Value(component(msg, 'PID', 15, 2)).toLowerCase()];
  const deceased = yes(component(msg, 'PID', 30, 1)) || present(component(msg, 'PID', 29, 1));
  const controlId = rawField(msg, 'MSH', 10).trim();
  // An update's own time (EVN-2, else MSH-7): one recorded before the details a survey holds leaves them.
  const recordedAt =
    kind === 'patient-updated'
      ? (hl7Instant(component(msg, 'EVN', 2, 1), timeZone) ?? hl7Instant(component(msg, 'MSH', 7, 1), timeZone) ?? undefined)
      : undefined;
  const phones = phonesOf(msg);
  return {
    source: LIFECARE_SOURCE,
    ...(controlId ? { sourceEventId: controlId } : {}),
    kind,
    ...(visitId ? { visitId } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(recordedAt ? { recordedAt } : {}),
    unit: { id: unitId || '(unknown)' },
    service: {
      ...(component(msg, 'PV1', 10, 1) ? { class: component(msg, 'PV1', 10, 1) } : {}),
      ...(component(msg, 'PV1', 18, 1) ? { type: component(msg, 'PV1', 18, 1) } : {}),
    },
    patient: {
      ...(personalId ? { personalId } : {}),
      ...birthDateOf(component(msg, 'PID', 7, 1)),
      // PID-13 (or PID-40) "" (HL7's explicit null) and no number: the record has none any more, as opposed to empty (unchanged).
      mobilePhones: phones.length === 0 && (explicitNull(msg, 'PID', 13) || explicitNull(msg, 'PID', 40)) ? null : phones,
      languages: languageCode ? { service: languageCode } : {},
      nonDisclosure: yes(component(msg, 'PD1', 12, 1)),
      deceased,
    },
  };
}
