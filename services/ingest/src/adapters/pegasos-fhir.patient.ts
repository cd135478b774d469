/** What a Pegasos Patient says of its person that FHIR lets be written several ways: the language, the birth date. */
import { parseHetu } from '@kaiku/core';
import type { Patient } from '@medplum/fhirtypes';
import type { FieldIssue } from './adapter-error.ts';
import { arr, str } from './fhir-values.ts';

/** Patient.communication, the preferred one first: its code (BCP-47 or the SFS language list). */
export function languageOf(patient: Patient): string | undefined {
  const comms = arr<{ preferred?: boolean; language?: { coding?: unknown; text?: string } }>(patient.communication);
  const ordered = [...comms.filter((c) => c.preferred === true), ...comms.filter((c) => c.preferred !== true)];
  for (const c of ordered) {
    // A local code beside the standard one ("RUOTSI" and "sv"): the standard one.
    const codings = arr<{ system?: string; code?: string }>(c.language?.coding);
    const coding =
      codings.find((x) => str(x.system) === 'urn:ietf:bcp:47' && str(x.code)) ??
      codings.find((x) => LANGUAGE_TAG.test(str(x.code) ?? '')) ??
      codings.find((x) => str(x.code));
    if (coding) return (str(coding.code) as string).toLowerCase();
  }
  return undefined;
}
const LANGUAGE_TAG = /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/iu;

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/u;
const PARTIAL_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/u;
/**
 * Patient.birthDate, which FHIR lets be a year, or a year and a month. With a hetu the hetu gives
 * the day (a partial date must agree with it; a full one is checked against it later); without
 * one, a partial date counts as its last day: a patient is never taken for older than they can be.
 */
export function birthDateOf(patient: Patient, hetus: ReadonlySet<string>): { birthDate?: string; issue?: FieldIssue } {
  const value = patient.birthDate;
  if (typeof value !== 'string' || FULL_DATE.test(value)) return typeof value === 'string' ? { birthDate: value } : {};
  const m = PARTIAL_DATE.exec(value);
  // (read as absent it made the patient's age unknown: skipped as under age, unnoticed)
  if (!m) return { issue: { field: 'Patient.birthDate', message: 'not a date (YYYY, YYYY-MM or YYYY-MM-DD)' } };
  const [hetu] = hetus;
  if (hetu !== undefined) {
    const born = parseHetu(hetu);
    if (!born.ok || born.birthDate.startsWith(value)) return {};
    return { issue: { field: 'Patient.birthDate', message: 'does not match the personal identity code' } };
  }
  const month = m[2] ? Number(m[2]) : 12;
  const lastDay = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(Number(m[1])) ? 1 : 0);
  return { birthDate: `${m[1]}-${String(month).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}` };
}
const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
