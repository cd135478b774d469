/**
 * Keys of a canonical VisitEvent that read as a misspelling of one Kaiku knows ("nondisclosure",
 * "decesed", "mobile_phones"): the schema would drop them, and the field's default would apply
 * unnoticed (a protected identity texted, a deceased patient surveyed). Other unknown keys are a
 * record system's extras, and are ignored.
 */
import { editDistance } from '../survey/reply-tokens.ts';

type KeyTree = { readonly [key: string]: KeyTree | null };

const EVENT_KEYS: KeyTree = {
  source: null,
  sourceEventId: null,
  kind: null,
  visitId: null,
  endedAt: null,
  recordedAt: null,
  unit: { id: null, name: null },
  service: { class: null, type: null },
  patient: {
    personalId: null,
    birthDate: null,
    mobilePhones: null,
    languages: { service: null, mother: null },
    nonDisclosure: null,
    deceased: null,
    smsConsent: null,
  },
};

export interface MisspeltKey {
  path: string[];
  meant: string;
}

const folded = (key: string) => key.toLowerCase().replace(/[^a-z]/gu, '');

/** The known key an unknown one was meant as: the same letters in another case or with separators, or one or two typos away. */
export function meantKey(key: string, known: readonly string[]): string | undefined {
  const f = folded(key);
  if (f.length < 3) return undefined;
  return (
    known.find((k) => folded(k) === f) ??
    known.find((k) => {
      const typos = k.length >= 9 ? 2 : 1;
      return k.length >= 5 && editDistance(f, folded(k), typos, { transpositions: true }) <= typos;
    })
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The misspelt keys of an event (all its objects; of a cancellation, its top level, the only one it uses). */
export function misspeltKeys(input: unknown): MisspeltKey[] {
  const found: MisspeltKey[] = [];
  const walk = (value: unknown, tree: KeyTree, path: string[], deep: boolean) => {
    if (!isObject(value)) return;
    const known = Object.keys(tree);
    for (const key of Object.keys(value)) {
      const sub = Object.hasOwn(tree, key) ? tree[key] : undefined;
      if (sub === undefined) {
        const meant = meantKey(key, known);
        if (meant !== undefined) found.push({ path: [...path, key], meant });
      } else if (sub !== null && deep) walk(value[key], sub, [...path, key], deep);
    }
  };
  walk(input, EVENT_KEYS, [], !(isObject(input) && input.kind === 'visit-cancelled'));
  return found;
}
