/** Checks of Pegasos FHIR resources that decide whether a patient may be texted, or who they are. */
import type { Encounter, Patient } from '@medplum/fhirtypes';
import type { FieldIssue } from './adapter-error.ts';
import { arr, inPeriod, isObject, str, stripOid } from './fhir-values.ts';
import { unknownMetaElements, unknownPatientElements } from './pegasos-fhir.elements.ts';

const HETU_OID = '1.2.246.21';

/** The first `modifierExtension` with content inside a resource (20 levels deep at most), and its path. */
export function modifierExtensionIn(value: unknown, path: string, depth = 0): { path: string; value: unknown } | null {
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v])
    : Object.entries(value).map(([k, v]) => [`${path}.${k}`, v]);
  for (const [at, v] of entries) {
    if (at.endsWith('.modifierExtension') && v !== undefined && !(Array.isArray(v) && v.length === 0)) return { path: at, value: v };
    const found = modifierExtensionIn(v, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The patient's hetus in use now: not `use: old`, not of a period that has ended. */
export function hetusInUse(patient: Patient, now: Date) {
  return hetuIdentifiers(patient).filter((i) => i.use !== 'old' && inPeriod(i.period, now));
}

type FhirIdentifier = {
  system?: unknown;
  value?: string;
  use?: string;
  type?: { coding?: unknown };
  period?: { start?: string; end?: string };
};

/** Patient.identifier entries that are the hetu (see isHetuIdentifier). */
export function hetuIdentifiers(patient: Patient) {
  return arr<FhirIdentifier>(patient.identifier).filter(isHetuIdentifier);
}

/** An identifier that is a hetu by its system (urn:oid:1.2.246.21 or the bare OID), or by type NNFIN with no system. */
export function isHetuIdentifier(i: FhirIdentifier): boolean {
  return typeof i.system === 'string'
    ? stripOid(i.system.trim()) === HETU_OID
    : arr<{ code?: unknown }>(i.type?.coding).some((c) => str(c.code)?.toUpperCase() === 'NNFIN');
}

/**
 * What decides whether a patient may be texted, or who they are, in a shape FHIR does not allow: a
 * security label list that is not a list, a deceased flag that is not a boolean, a hetu that is not
 * a string, an element FHIR does not define (`deceased`). Read leniently these were ignored (a
 * protected identity texted); refused instead.
 */
export function malformed(r: Patient | Encounter, at: string): FieldIssue[] {
  const raw = r as unknown as Record<string, unknown>;
  const issues = malformedMeta(raw, at);
  if (r.resourceType !== 'Patient') return issues;
  issues.push(...unknownPatientElements(r, at));
  if (raw.deceasedBoolean !== undefined && typeof raw.deceasedBoolean !== 'boolean') {
    issues.push({ field: `${at}.deceasedBoolean`, message: 'must be true or false' });
  }
  if (raw.deceasedDateTime !== undefined && typeof raw.deceasedDateTime !== 'string') {
    issues.push({ field: `${at}.deceasedDateTime`, message: 'must be a dateTime' });
  }
  if (raw.identifier !== undefined && (!Array.isArray(raw.identifier) || !raw.identifier.every(isObject))) {
    issues.push({ field: `${at}.identifier`, message: 'must be an array of Identifier' });
  } else if (hetuIdentifiers(r).some((i) => i.value !== undefined && typeof i.value !== 'string')) {
    issues.push({ field: `${at}.identifier`, message: 'the hetu (value) must be a string' });
  }
  return issues;
}

/**
 * A `meta` (of a resource or of the Bundle) whose security labels could not be read: refused, not
 * ignored. `elements`: also one with an element FHIR does not define (not for a Bundle read before
 * its encounters: a cancellation does not read it, and is not lost over it).
 */
export function malformedMeta(raw: Record<string, unknown>, at: string, elements = true): FieldIssue[] {
  const meta = raw.meta as Record<string, unknown> | undefined;
  if (meta !== undefined && !isObject(meta)) return [{ field: `${at}.meta`, message: 'must be an object' }];
  if (meta?.security !== undefined && (!Array.isArray(meta.security) || !meta.security.every(isObject))) {
    return [{ field: `${at}.meta.security`, message: 'must be an array of Coding' }];
  }
  return elements ? unknownMetaElements(meta, `${at}.meta`) : [];
}
