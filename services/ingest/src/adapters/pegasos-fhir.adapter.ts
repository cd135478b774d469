import { containsHetu, containsUnsignedHetu, isCalendarDateTime, type VisitEventInput, zonedInstant } from '@kaiku/core';
import type { Bundle, Encounter, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { type FieldIssue, SourceMessageError } from './adapter-error.ts';
import { phonesOf } from './fhir-telecom.ts';
import { arr, isObject, shown, str, stripOid } from './fhir-values.ts';
import { hetusInUse, malformed, malformedMeta, modifierExtensionIn } from './pegasos-fhir.checks.ts';
import { unknownMetaElements } from './pegasos-fhir.elements.ts';
import { birthDateOf, languageOf } from './pegasos-fhir.patient.ts';
import {
  type Found,
  missingPatient,
  refuseDuplicateFullUrls,
  refuseUnreadableEntries,
  resolve,
  subjectContradicts,
} from './pegasos-fhir.references.ts';

export const PEGASOS_SOURCE = 'pegasos';
const NON_DISCLOSURE = 'TURVAKIELTO';
const BUNDLE_TYPES = new Set(['collection', 'message', 'transaction', 'batch']);

const KINDS: Partial<Record<Encounter['status'], VisitEventInput['kind']>> = {
  finished: 'visit-ended',
  cancelled: 'visit-cancelled',
  'entered-in-error': 'visit-cancelled',
};

/** Canonical paths → FHIR paths (for OperationOutcome issues that name the element). */
export const PEGASOS_FIELDS: Record<string, string> = {
  visitId: 'Encounter.identifier',
  endedAt: 'Encounter.period.end',
  unit: 'Encounter.serviceProvider',
  'unit.id': 'Encounter.serviceProvider.identifier.value',
  service: 'Encounter.serviceType',
  'service.class': 'Encounter.class.code',
  'service.type': 'Encounter.serviceType.coding.code',
  patient: 'Patient',
  'patient.personalId': 'Patient.identifier',
  'patient.birthDate': 'Patient.birthDate',
  'patient.mobilePhones': 'Patient.telecom',
  'patient.languages': 'Patient.communication',
};

const OID = /^[0-2](\.\d+)+$/;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A FHIR dateTime with a time; without an offset it is the county's local time. */
export function fhirInstant(value: string, timeZone: string): string | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDateTime(y, mo, d, h, mi, s)) return null;
  if (m[7]) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return new Date(zonedInstant(timeZone, y, mo, d, h, mi).getTime() + s * 1000).toISOString();
}

/**
 * The event id (Bundle and Encounter ids), cut to what Kaiku stores; left out when it holds a hetu,
 * judged before the cut (a cut hetu is no longer a valid one, yet still readable).
 */
function eventIdOf(id: string | undefined): { sourceEventId?: string } {
  if (!id || containsHetu(id, { glued: true }) || containsUnsignedHetu(id)) return {};
  return { sourceEventId: id.slice(0, 255) };
}

function encountersOf(body: unknown): Found[] {
  if (!isObject(body)) throw new SourceMessageError('invalid', [{ field: '(body)', message: 'a FHIR Bundle or Encounter (JSON object)' }]);
  if (body.resourceType === 'Encounter') {
    const enc = body as unknown as Encounter;
    return [{ encounter: enc, path: 'Encounter', resources: [], ...(str(enc.id) ? { eventId: str(enc.id) } : {}) }];
  }
  if (body.resourceType !== 'Bundle') {
    throw new SourceMessageError('invalid', [
      { field: 'resourceType', message: `expected Bundle or Encounter, got ${str(body.resourceType)?.slice(0, 40) ?? '(none)'}` },
    ]);
  }
  const bundle = body as unknown as Bundle;
  if (typeof bundle.type !== 'string' || !BUNDLE_TYPES.has(bundle.type)) {
    throw new SourceMessageError('invalid', [
      { field: 'Bundle.type', message: `expected collection, message, transaction or batch, got ${shown(bundle.type)}` },
    ]);
  }
  // TURVAKIELTO on the Bundle covers every entry: a label list that can't be read is refused.
  const bundleMeta = malformedMeta(body, 'Bundle', false);
  if (bundleMeta.length) throw new SourceMessageError('invalid', bundleMeta);
  const entries = arr<{ fullUrl?: string; resource?: Resource }>(body.entry);
  refuseUnreadableEntries(body.entry);
  refuseDuplicateFullUrls(entries);
  // (i: the entry's place in the body, for the issues that name it)
  const indexed = entries.flatMap((e, i) =>
    isObject(e.resource) ? [{ i, r: { ...(str(e.fullUrl) ? { fullUrl: str(e.fullUrl) } : {}), resource: e.resource as Resource } }] : [],
  );
  const resources = indexed.map(({ r }) => r);
  const found = indexed
    .filter(({ r }) => r.resource.resourceType === 'Encounter')
    .map(({ r, i }) => ({
      encounter: r.resource as Encounter,
      path: `Bundle.entry[${i}].resource`,
      ...(r.fullUrl ? { fullUrl: r.fullUrl } : {}),
      resources,
      ...(isObject(bundle.meta) ? { bundleMeta: bundle.meta } : {}),
      ...(str(bundle.id) ? { eventId: `${str(bundle.id)}${str(r.resource.id) ? `/${str(r.resource.id)}` : ''}` } : {}),
    }));
  if (found.length === 0) throw new SourceMessageError('invalid', [{ field: 'Bundle.entry', message: 'the bundle has no Encounter' }]);
  return found;
}

/** Of identifiers with a value: the `official` one, else `usual`, else the first. */
function preferred<T extends { use?: string; value?: string }>(ids: T[]): T | undefined {
  const valued = ids.filter((i) => str(i.value));
  return valued.find((i) => i.use === 'official') ?? valued.find((i) => i.use === 'usual') ?? valued[0];
}

/**
 * The Encounter's identifier; a local number (not itself a `urn:`) with its system, as FHIR's
 * token `system|value`: two organisations' encounter 714162 are two visits, not one.
 */
function visitIdOf(enc: Encounter): string | undefined {
  const id = preferred(arr<{ use?: string; system?: string; value?: string }>(enc.identifier));
  const value = str(id?.value);
  if (!value) return str(enc.id);
  const system = systemUri(str(id?.system));
  return system && !/^urn:/iu.test(value) ? `${system}|${value}` : value;
}

/** An OID system as FHIR writes it (`urn:oid:…`), also when sent bare or with the prefix in capitals: one id for one visit. */
function systemUri(system: string | undefined): string | undefined {
  if (!system) return undefined;
  const oid = stripOid(system);
  return OID.test(oid) ? `urn:oid:${oid}` : system;
}

function unitOf(enc: Encounter, found: Found): { id?: string; name?: string } {
  const provider = enc.serviceProvider;
  const direct = str(provider?.identifier?.value);
  const org = direct ? undefined : resolve<Organization>(provider, 'Organization', found).resource;
  // The unit's OID (FI Base: urn:oid:1.2.246.10.…), not a business id (Y-tunnus) listed before it.
  const orgIds = arr<{ value?: string }>(org?.identifier)
    .map((i) => str(i.value))
    .filter((v): v is string => Boolean(v));
  const orgId = orgIds.find((v) => OID.test(stripOid(v))) ?? orgIds[0];
  const id = direct ?? orgId;
  const name = str(provider?.display) ?? str(org?.name);
  return { ...(id ? { id: stripOid(id) } : {}), ...(name ? { name: name.slice(0, 200) } : {}) };
}

/** period.start after the end: one of the two is wrong, and the end decides the send time. */
function startsAfter(enc: Encounter, endedAt: string, timeZone: string): boolean {
  const start = str(enc.period?.start);
  const startedAt = start ? fhirInstant(start, timeZone) : null;
  return startedAt !== null && Date.parse(startedAt) > Date.parse(endedAt);
}

/** Why a finished encounter has no unit: a reference to no Organization, or no identifier at all. */
function unitMissing(enc: Encounter): string {
  return str(enc.serviceProvider?.reference)
    ? 'serviceProvider names no Organization (with an identifier) contained or in the bundle'
    : 'the unit OID (serviceProvider.identifier) is required';
}

const hasNonDisclosure = (r: { meta?: Resource['meta'] } | undefined) =>
  arr<{ code?: string }>(r?.meta?.security).some((s) => str(s.code)?.toUpperCase() === NON_DISCLOSURE);

function toEvent(found: Found, timeZone: string, now: Date): VisitEventInput {
  const enc = found.encounter;
  const p = found.path;
  const issues: FieldIssue[] = [];
  if (enc.status !== undefined && typeof enc.status !== 'string')
    throw new SourceMessageError('invalid', [{ field: `${p}.status`, message: `must be a code (a string), got ${shown(enc.status)}` }]);
  if (!str(enc.status)) throw new SourceMessageError('invalid', [{ field: `${p}.status`, message: 'the encounter has no status' }]);
  const kind = Object.hasOwn(KINDS, enc.status) ? KINDS[enc.status] : undefined;
  if (!kind) {
    throw new SourceMessageError('unsupported', [
      {
        field: `${p}.status`,
        message: `status ${shown(enc.status)} is not taken (finished, cancelled or entered-in-error)`,
      },
    ]);
  }
  const visitId = visitIdOf(enc);
  if (!visitId) issues.push({ field: `${p}.identifier`, message: 'the encounter has no identifier' });
  const subject = resolve<Patient>(enc.subject, 'Patient', found);
  const patient = subject.resource;
  // A cancellation is read from its encounter's identifier alone: what it does not use cannot lose it.
  const cancelling = kind === 'visit-cancelled';
  if (!subject.resource && !cancelling) issues.push({ field: `${p}.subject`, message: missingPatient(enc, subject) });
  const unit = unitOf(enc, found);
  let endedAt: string | undefined;
  if (kind === 'visit-ended') {
    const end = str(enc.period?.end);
    endedAt = end ? (fhirInstant(end, timeZone) ?? undefined) : undefined;
    if (!end) issues.push({ field: `${p}.period.end`, message: 'a finished encounter needs period.end' });
    else if (!endedAt) issues.push({ field: `${p}.period.end`, message: 'not a dateTime with a time (and a day the month has)' });
    else if (startsAfter(enc, endedAt, timeZone)) issues.push({ field: `${p}.period.end`, message: 'is before period.start' });
    if (!unit.id) issues.push({ field: `${p}.serviceProvider`, message: unitMissing(enc) });
  }
  let birthDate: string | undefined;
  if (patient && !cancelling) {
    const bundleMeta = found.bundleMeta ? unknownMetaElements(found.bundleMeta, 'Bundle.meta') : [];
    issues.push(...malformed(patient, 'Patient'), ...malformed(enc, p), ...bundleMeta);
    // Two different identity codes in use for one patient: which is theirs is not ours to guess.
    const codes = new Set(hetusInUse(patient, now).flatMap((i) => (str(i.value) ? [(i.value as string).trim().toUpperCase()] : [])));
    if (codes.size > 1)
      issues.push({
        field: 'Patient.identifier',
        message: 'two different personal identity codes (hetu) in use; mark the replaced one old',
      });
    const other = subjectContradicts(enc, patient, p, now);
    if (other) issues.push(other);
    const birth = birthDateOf(patient, codes);
    if (birth.issue) issues.push(birth.issue);
    birthDate = birth.birthDate;
  }
  if (issues.length) throw new SourceMessageError('invalid', issues);
  // FHIR: a receiver must not take a resource with a modifier extension it does not understand, at
  // any depth (on the Patient, its identifier, a contained resource …).
  const modifier = (cancelling ? null : modifierExtensionIn(patient, 'Patient')) ?? modifierExtensionIn(enc, p);
  if (modifier) {
    const url = str(arr<{ url?: string }>(modifier.value)[0]?.url) ?? '(no url)';
    throw new SourceMessageError('unsupported', [{ field: modifier.path, message: `${url.slice(0, 120)} is not understood` }]);
  }

  if (cancelling || !patient) {
    return {
      source: PEGASOS_SOURCE,
      ...eventIdOf(found.eventId),
      kind,
      ...(visitId ? { visitId } : {}),
      unit: { id: unit.id ?? '(unknown)' },
      patient: {},
    };
  }
  // The hetu in use (never one marked old: a replaced temporary id).
  const hetu = preferred(hetusInUse(patient, now));
  const language = languageOf(patient);
  const serviceType = arr<{ code?: string }>(enc.serviceType?.coding)
    .map((c) => str(c.code))
    .find(Boolean);
  const serviceClass = str(enc.class?.code);
  return {
    source: PEGASOS_SOURCE,
    ...eventIdOf(found.eventId),
    kind,
    ...(visitId ? { visitId } : {}),
    ...(endedAt ? { endedAt } : {}),
    unit: { id: unit.id ?? '(unknown)', ...(unit.name ? { name: unit.name } : {}) },
    service: { ...(serviceClass ? { class: serviceClass } : {}), ...(serviceType ? { type: serviceType } : {}) },
    patient: {
      ...(str(hetu?.value) ? { personalId: str(hetu?.value) } : {}),
      ...(birthDate ? { birthDate } : {}),
      mobilePhones: phonesOf(patient, now),
      languages: language ? { service: language } : {},
      nonDisclosure: hasNonDisclosure(patient) || hasNonDisclosure(enc) || hasNonDisclosure({ meta: found.bundleMeta }),
      deceased: patient.deceasedBoolean === true || typeof patient.deceasedDateTime === 'string',
    },
  };
}

export type MappedEncounter = { event: VisitEventInput; path: string } | { error: SourceMessageError; path: string; visitId?: string };

/**
 * Maps a Pegasos FHIR R4 Bundle (or a lone Encounter with a contained Patient) to canonical
 * VisitEvent inputs. One encounter that can't be taken throws; of several, each that can't is
 * returned with its error, so that the others are still taken.
 */
export function pegasosToVisitEvents(body: unknown, timeZone: string, now = new Date()): MappedEncounter[] {
  const found = encountersOf(body);
  if (found.length === 1) return [{ event: toEvent(found[0] as Found, timeZone, now), path: (found[0] as Found).path }];
  return found.map((f) => {
    try {
      return { event: toEvent(f, timeZone, now), path: f.path };
    } catch (error) {
      if (error instanceof SourceMessageError) {
        // Named like the encounters taken, so that a batch's answers can be matched by id too.
        const visitId = visitIdOf(f.encounter);
        return { error, path: f.path, ...(visitId ? { visitId } : {}) };
      }
      throw error;
    }
  });
}
