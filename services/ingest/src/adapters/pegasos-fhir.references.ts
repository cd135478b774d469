/** An Encounter's references, resolved inside its Bundle or among its contained resources as FHIR resolves them; the entries that can't be. */

import { editDistance } from '@kaiku/core';
import type { Encounter, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { type FieldIssue, SourceMessageError } from './adapter-error.ts';
import { arr, isObject, shown, str } from './fhir-values.ts';
import { hetusInUse, isHetuIdentifier } from './pegasos-fhir.checks.ts';

export interface BundleEntry {
  fullUrl?: string;
  resource: Resource;
}

/** An encounter to map, with what its references can point at. */
export interface Found {
  encounter: Encounter;
  /** Its path in the body, for the issues that name an element. */
  path: string;
  /** The encounter's own fullUrl: a relative reference is read against its base. */
  fullUrl?: string;
  resources: BundleEntry[];
  eventId?: string;
  /** The Bundle's own security labels (TURVAKIELTO on the Bundle covers every entry). */
  bundleMeta?: Resource['meta'];
}

export type Resolved<T> = { resource: T } | { resource?: undefined; matches: number };

/**
 * FHIR: a fullUrl is unique in a Bundle (other than a history bundle's versions, which Kaiku does
 * not take). Two entries under one fullUrl would leave every reference to it a guess.
 */
export function refuseDuplicateFullUrls(entries: Array<{ fullUrl?: unknown }>): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const url = str(entry.fullUrl);
    if (url === undefined) return;
    const first = seen.get(url);
    if (first === undefined) seen.set(url, i);
    else
      throw new SourceMessageError('invalid', [
        {
          field: `Bundle.entry[${i}].fullUrl`,
          message: `the same fullUrl as Bundle.entry[${first}]: a fullUrl must be unique in a Bundle`,
        },
      ]);
  });
}

/** `Patient/123/_history/2` names version 2 of `Patient/123`: the entry is the same resource. */
const withoutVersion = (reference: string) => reference.replace(/\/_history\/[^/]+$/u, '');
/** The RESTful base of an absolute fullUrl (`https://a.example/fhir/` of `https://a.example/fhir/Encounter/e1`). */
const baseOf = (fullUrl: string | undefined) =>
  fullUrl ? /^([a-z][a-z0-9+.-]*:\/\/.+\/)[A-Za-z]+\/[^/]+$/iu.exec(fullUrl)?.[1] : undefined;

/**
 * The resource a reference names: a contained one (`#p1`); an entry by its fullUrl (absolute or
 * `urn:uuid:`); a relative `Type/id` first against the encounter's own base (the server it came
 * from), then by the entries' ids. Two entries that a reference could mean are not a guess either:
 * `matches` says how many there were.
 */
export function resolve<T extends Resource>(ref: Reference | undefined, type: T['resourceType'], found: Found): Resolved<T> {
  const reference = str(ref?.reference);
  const contained = arr<Resource>(found.encounter.contained);
  if (reference?.startsWith('#')) {
    const hit = contained.find((r) => r.resourceType === type && r.id === reference.slice(1));
    return hit ? { resource: hit as T } : { matches: 0 };
  }
  const all = found.resources.filter((r) => r.resource.resourceType === type);
  if (reference) {
    const wanted = withoutVersion(reference);
    const exact = all.find((r) => r.fullUrl === wanted);
    if (exact) return { resource: exact.resource as T };
    if (/^[a-z][a-z0-9+.-]*:/iu.test(wanted)) return { matches: 0 }; // absolute, and no entry has it
    const base = baseOf(found.fullUrl);
    const fromBase = base ? all.find((r) => r.fullUrl === `${base}${wanted}`) : undefined;
    if (fromBase) return { resource: fromBase.resource as T };
    const hits = all.filter((r) => (r.fullUrl?.endsWith(`/${wanted}`) ?? false) || `${type}/${str(r.resource.id)}` === wanted);
    return hits.length === 1 ? { resource: (hits[0] as BundleEntry).resource as T } : { matches: hits.length };
  }
  if (type !== 'Patient') return { matches: 0 };
  // No reference: the one Patient there is (contained or in the bundle).
  const candidates = [...contained.filter((r) => r.resourceType === type), ...all.map((r) => r.resource)];
  return candidates.length === 1 ? { resource: candidates[0] as T } : { matches: candidates.length };
}

/** Why an encounter has no Patient: a reference to none, to several, several to choose from, or none there. */
export function missingPatient(enc: Encounter, resolved: { matches: number }): string {
  // (the reference is not echoed: a patient's id may be their hetu)
  if (str(enc.subject?.reference)) {
    return resolved.matches > 1
      ? `subject could mean any of ${resolved.matches} Patients in the bundle; name one by its fullUrl`
      : 'subject names no Patient contained or in the bundle';
  }
  return resolved.matches > 1
    ? `there are ${resolved.matches} Patients and no subject names one`
    : 'the Patient is neither contained nor in the bundle';
}

/**
 * `Encounter.subject.identifier` that names a hetu other than the Patient's: the encounter and the
 * Patient beside it are two people, and which one was seen is not Kaiku's to guess.
 */
export function subjectContradicts(enc: Encounter, patient: Patient, path: string, now: Date): FieldIssue | null {
  const id = enc.subject?.identifier;
  const value = str(id?.value)?.toUpperCase();
  if (!id || !value || !isHetuIdentifier(id)) return null;
  const codes = hetusInUse(patient, now).flatMap((i) => (str(i.value) ? [(i.value as string).trim().toUpperCase()] : []));
  if (codes.length === 0 || codes.includes(value)) return null;
  return { field: `${path}.subject.identifier`, message: 'names another personal identity code (hetu) than its Patient has' };
}

/** The resource types Kaiku reads; an entry whose type is one of them misspelt would be skipped unnoticed. */
const READ_TYPES = ['Encounter', 'Patient', 'Organization'];

/**
 * Entries that could hide a visit or its patient: one with no resource (only a transaction's or
 * batch's `request` may stand alone), a resource with no type, or a type that is a misspelling of
 * one Kaiku reads (`Encouner`). Other resource types are not Kaiku's, and are passed over.
 */
export function refuseUnreadableEntries(list: unknown): void {
  if (list !== undefined && !Array.isArray(list))
    throw new SourceMessageError('invalid', [{ field: 'Bundle.entry', message: 'must be an array' }]);
  const issues: FieldIssue[] = [];
  (list ?? []).forEach((entry: unknown, i: number) => {
    const at = `Bundle.entry[${i}]`;
    if (!isObject(entry)) issues.push({ field: at, message: `must be an object, got ${shown(entry)}` });
    else if (entry.resource === undefined) {
      // (a transaction's or batch's request, or a response, may stand alone: FHIR's bdl-5)
      if (!isObject(entry.request) && !isObject(entry.response))
        issues.push({ field: `${at}.resource`, message: 'the entry has no resource' });
    } else if (!isObject(entry.resource))
      issues.push({ field: `${at}.resource`, message: `must be a resource, got ${shown(entry.resource)}` });
    else if (typeof entry.resource.resourceType !== 'string')
      issues.push({ field: `${at}.resource.resourceType`, message: 'the resource has no resourceType' });
    else {
      const type = entry.resource.resourceType;
      const meant = READ_TYPES.find(
        (t) => t !== type && editDistance(type.toLowerCase(), t.toLowerCase(), 2, { transpositions: true }) <= 2,
      );
      if (meant) issues.push({ field: `${at}.resource.resourceType`, message: `${shown(type)} is not a FHIR resource type (${meant}?)` });
    }
  });
  if (issues.length) throw new SourceMessageError('invalid', issues.slice(0, 20));
}
