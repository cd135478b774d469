import { z } from 'zod';
import { containsHetu, containsUnsignedHetu } from './hetu.ts';
import { misspeltKeys } from './misspelt-keys.ts';
import { unitIdOf } from './unit-id.ts';

/**
 * Text that Postgres can store as it came: no NUL character, and no lone UTF-16 surrogate (which
 * would be stored as U+FFFD, so that two different ids would become one).
 */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}
const STORABLE = 'must not contain a NUL character or an unpaired surrogate';
const text = () => z.string().refine(isStorableText, STORABLE);

/**
 * A unit or service code Kaiku stores and reports by: never one that holds a patient's hetu (a
 * field mapped wrong at the source). A visit id or event id that holds one is masked at ingest
 * instead (a date-stamped id can look like a hetu by chance): see services/ingest protect-ids.
 */
const NO_HETU = 'holds a personal identity code (hetu); it must not be sent in this field';
const storedId = (max: number) =>
  text()
    .trim()
    .max(max)
    .refine((v) => !containsHetu(v, { glued: true }) && !containsUnsignedHetu(v, { checkLetter: true }), NO_HETU);

/** An instant or a day in years a visit or a birth can have (Postgres has no year 0). */
const yearAtLeast = (min: number) => (iso: string) => {
  const year = Number(iso.slice(0, 4));
  return year >= min && year <= 2999;
};

/** A language code as the record systems send it (ISO 639-1 or similar); mapped later. */
const languageCode = text().trim().min(1).max(35);

/** What a visit event says happened. */
export const VISIT_EVENT_KINDS = ['visit-ended', 'visit-cancelled', 'patient-updated'] as const;

const visitEventObject = z
  .object({
    source: text()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    sourceEventId: text().trim().min(1).max(255).optional(),
    kind: z.enum(VISIT_EVENT_KINDS),
    /** Required except for patient-updated, which may name only the patient (HL7 A31). */
    visitId: text().trim().min(1).max(255).optional(),
    endedAt: z.iso.datetime({ offset: true, abort: true }).refine(yearAtLeast(1900), 'must be in the years 1900 to 2999').optional(),
    /** When the source recorded the event: a patient update older than the details a survey holds leaves them. */
    recordedAt: z.iso.datetime({ offset: true, abort: true }).refine(yearAtLeast(1900), 'must be in the years 1900 to 2999').optional(),
    /** The unit's OID, with or without `urn:oid:` (as FHIR writes it). */
    unit: z.object({
      id: storedId(128).transform(unitIdOf).pipe(z.string().min(1, 'the unit OID is empty')),
      name: text().max(200).optional(),
    }),
    service: z.object({ class: storedId(64).optional(), type: storedId(64).optional() }).optional(),
    patient: z.object({
      personalId: text().trim().max(32).optional(),
      birthDate: z.iso.date({ abort: true }).refine(yearAtLeast(1800), 'must be in the years 1800–2999').optional(),
      /** `null`: the record says the patient has no mobile number any more (HL7 PID-13 `""`). */
      mobilePhones: z.array(text().max(64)).max(10).nullable().default([]),
      languages: z.object({ service: languageCode.optional(), mother: languageCode.optional() }).default({}),
      nonDisclosure: z.boolean().default(false),
      deceased: z.boolean().default(false),
      smsConsent: z.boolean().optional(),
    }),
  })
  .superRefine((event, ctx) => {
    if (event.kind === 'visit-ended' && !event.endedAt) {
      ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'required when kind is visit-ended' });
    }
    if (event.kind !== 'patient-updated' && !event.visitId) {
      ctx.addIssue({ code: 'custom', path: ['visitId'], message: `required when kind is ${event.kind}` });
    }
    if (event.kind === 'patient-updated' && !event.visitId && !event.patient.personalId) {
      ctx.addIssue({ code: 'custom', path: ['visitId'], message: 'a patient update names the visit, the patient (personalId) or both' });
    }
  })
  .transform((event) => {
    const { mobilePhones, ...patient } = event.patient;
    // [] (or no field) leaves an update's number as it was; null removes it.
    const removed = mobilePhones === null ? { mobilePhonesRemoved: true as const } : {};
    return { ...event, patient: { ...patient, mobilePhones: mobilePhones ?? [], ...removed } };
  });

/**
 * A cancellation or an update is about a visit (or a patient) Kaiku already has. A cancellation is
 * read from its source, visit id and event id alone: whatever else it carries (unit, patient, end
 * time) is not used, so a mistake there cannot lose it. An update may leave out the unit.
 */
function withOptionalParts(input: unknown): unknown {
  if (!isPlainObject(input)) return input;
  const event = withoutNulls(input);
  if (event.kind === 'visit-cancelled') {
    const { source, sourceEventId, kind, visitId } = event;
    return { source, sourceEventId, kind, visitId, unit: { id: '(not used)' }, patient: {} };
  }
  if (event.kind === 'patient-updated') return { ...event, unit: { id: '(not used)' } };
  return event;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/**
 * Many serialisers write `null` for a field they have no value for: it is read as absent, except
 * `patient.mobilePhones: null` (no mobile any more). An empty language code is absent too.
 */
function withoutNulls(o: Record<string, unknown>, parent = '', depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    if ((value === null && key !== 'mobilePhones') || key === '__proto__') continue;
    if (parent === 'languages' && typeof value === 'string' && value.trim() === '') continue;
    // As deep as an event's own objects go (patient.languages); below that the schema refuses or
    // strips what it finds, and a body nested thousands deep cannot run the stack out.
    out[key] = isPlainObject(value) && depth < EVENT_DEPTH ? withoutNulls(value, key, depth + 1) : value;
  }
  return out;
}
const EVENT_DEPTH = 2;

export const visitEventSchema = z.preprocess((input, ctx) => {
  for (const { path, meant } of misspeltKeys(input)) {
    ctx.addIssue({ code: 'custom', path, message: `not a key of a visit event: did you mean ${meant}?`, input });
  }
  return withOptionalParts(input);
}, visitEventObject);

export type VisitEvent = z.infer<typeof visitEventSchema>;
export type VisitEventInput = z.input<typeof visitEventObject>;
