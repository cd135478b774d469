/**
 * The elements FHIR R4 defines for the parts of a resource that decide whether a patient may be
 * texted (the Patient, its identifiers, numbers and languages; security labels). A key FHIR does
 * not define there (`deceased`, `deceasedboolean`, `meta.securty`, a CodeableConcept where a
 * Coding belongs) would be dropped by a lenient reader and its default applied unnoticed: a dead
 * or protected patient texted. FHIR lets a receiver refuse unknown elements; here they are.
 */
import type { FieldIssue } from './adapter-error.ts';
import { isObject } from './fhir-values.ts';

const BASE = ['id', 'extension'];
const RESOURCE = ['resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'];
const PERIOD = [...BASE, 'start', 'end'];

const PATIENT = [
  ...RESOURCE,
  'identifier',
  'active',
  'name',
  'telecom',
  'gender',
  'birthDate',
  'deceasedBoolean',
  'deceasedDateTime',
  'address',
  'maritalStatus',
  'multipleBirthBoolean',
  'multipleBirthInteger',
  'photo',
  'contact',
  'communication',
  'generalPractitioner',
  'managingOrganization',
  'link',
];
const META = [...BASE, 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag'];
const CODING = [...BASE, 'system', 'version', 'code', 'display', 'userSelected'];
const CONTACT_POINT = [...BASE, 'system', 'value', 'use', 'rank', 'period'];
const IDENTIFIER = [...BASE, 'use', 'type', 'system', 'value', 'period', 'assigner'];
const COMMUNICATION = [...BASE, 'modifierExtension', 'language', 'preferred'];

/**
 * Keys of `value` that are not among `known` (a `_name` beside a primitive counts as `name`). A
 * `modifierExtension` anywhere is answered on its own: not understood (modifierExtensionIn).
 */
function unknownKeys(value: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(value).filter(
    (k) => k !== 'modifierExtension' && !known.includes(k) && !(k.startsWith('_') && known.includes(k.slice(1))),
  );
}

const folded = (key: string) => key.toLowerCase().replace(/[^a-z]/gu, '');

/** `deceased` → deceasedBoolean or deceasedDateTime; `birthdate` → birthDate. */
function hint(key: string, known: readonly string[]): string {
  const f = folded(key);
  const near = f.length >= 3 ? known.filter((k) => folded(k) === f || (k !== 'id' && folded(k).startsWith(f))) : [];
  return near.length ? ` (${near.join(' or ')}?)` : '';
}

function check(value: unknown, known: readonly string[], type: string, at: string, issues: FieldIssue[]): void {
  if (!isObject(value)) return;
  for (const key of unknownKeys(value, known)) {
    issues.push({ field: `${at}.${key}`, message: `not an element of FHIR R4 ${type}${hint(key, known)}` });
  }
}

function eachItem(list: unknown, at: string, visit: (item: unknown, itemAt: string) => void): void {
  if (!Array.isArray(list)) return;
  for (const [i, item] of list.entries()) visit(item, `${at}[${i}]`);
}

/** Unknown keys in a `meta` and its security labels, and a label's code that is not a string. */
export function unknownMetaElements(meta: unknown, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  check(meta, META, 'Meta', at, issues);
  if (!isObject(meta)) return issues;
  eachItem(meta.security, `${at}.security`, (label, labelAt) => {
    check(label, CODING, 'Coding', labelAt, issues);
    if (isObject(label) && label.code !== undefined && typeof label.code !== 'string') {
      issues.push({ field: `${labelAt}.code`, message: 'must be a code (a string)' });
    }
  });
  return issues;
}

/** Unknown keys in a Patient where they decide who may be texted (its meta: unknownMetaElements), at most ten. */
export function unknownPatientElements(patient: unknown, at: string): FieldIssue[] {
  if (!isObject(patient)) return [];
  const issues: FieldIssue[] = [];
  check(patient, PATIENT, 'Patient', at, issues);
  eachItem(patient.identifier, `${at}.identifier`, (id, idAt) => {
    check(id, IDENTIFIER, 'Identifier', idAt, issues);
    if (isObject(id)) check(id.period, PERIOD, 'Period', `${idAt}.period`, issues);
  });
  eachItem(patient.telecom, `${at}.telecom`, (cp, cpAt) => {
    check(cp, CONTACT_POINT, 'ContactPoint', cpAt, issues);
    if (isObject(cp)) check(cp.period, PERIOD, 'Period', `${cpAt}.period`, issues);
  });
  eachItem(patient.communication, `${at}.communication`, (c, cAt) => check(c, COMMUNICATION, 'Patient.communication', cAt, issues));
  return issues.slice(0, 10);
}
