import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSendAfterWithinLimit, isValidSendAfter, MAX_SEND_AFTER_DAYS, unitIdOf, weeksAsDays } from '@kaiku/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssues, shownValue } from './config-error.ts';
import { type Env, parseEnv } from './env.ts';

const hhmm = z
  .string({
    error: (iss) => (iss.input === undefined ? undefined : `a 24-hour time in quotes, HH:MM ("21:00"), not ${shownValue(iss.input)}`),
  })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (iss) => `a 24-hour time, HH:MM ("21:00", "08:00"), not ${shownValue(iss.input)}` });
const language = z.enum(['fi', 'sv', 'en']);
/** What kind of service a unit gives (reports group and filter by it). */
export const SERVICE_KINDS = ['health-station', 'maternity-clinic', 'dental', 'other'] as const;

const unitName = z.string().trim().min(1, 'the name is empty: leave the language out to use the Finnish name');
/** The name every text and page falls back to: the unit's official Finnish name. */
const finnishName = z
  .string({
    error: (iss) =>
      iss.input === undefined ? "required: the unit's Finnish name, which a language without a name of its own uses" : undefined,
  })
  .trim()
  .min(1, 'the Finnish name is empty: every unit needs one, which a language without a name of its own uses');

const unitSchema = z.strictObject({
  // As the record systems send it, with or without `urn:oid:`: stored and compared without.
  id: z.string().transform(unitIdOf).pipe(z.string().min(1, 'the unit id is empty')),
  // A name of spaces only would be a text that names no unit.
  name: z.strictObject({ fi: finnishName, sv: unitName.optional(), en: unitName.optional() }),
  service: z.enum(SERVICE_KINDS),
  sensitive: z.boolean().default(false),
  sampling: z.number().min(0).max(1).default(1),
});

export const kaikuConfigSchema = z.strictObject({
  timezone: z
    .string()
    .default('Europe/Helsinki')
    .refine((tz) => {
      // A fixed offset ("+02:00") has no summer time, and Postgres reads its sign the other way.
      if (/^[+\-\u2212]/u.test(tz.trim())) return false;
      // The same, under a zone's name: Etc/GMT-2 is +02:00 all year (an hour off all summer).
      if (/^(?:Etc\/)?GMT[+-]0*[1-9]\d*$/i.test(tz.trim()) || /^(?:EST|MST|HST)$/i.test(tz.trim())) return false;
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone such as Europe/Helsinki (not an offset: it has no summer time)'),
  units: z.array(unitSchema).min(1),
  survey: z
    .strictObject({
      sendAfter: z
        .string()
        .default('next-day-12:00')
        .transform(weeksAsDays)
        .refine(isValidSendAfter, {
          message:
            'next-day-HH:MM or an ISO 8601 duration in days, hours, minutes and seconds (P1D, PT2H, P1DT6H) or weeks (P1W); not months, years or fractions',
          abort: true,
        })
        .refine(isSendAfterWithinLimit, `at most P${MAX_SEND_AFTER_DAYS}D: a survey is about a visit the patient still recalls`),
      quietHours: z
        .strictObject({ from: hhmm, to: hhmm })
        .refine((q) => q.from !== q.to, 'from and to are the same time: give two times, or null for no quiet hours')
        .nullable()
        .default({ from: '20:00', to: '09:00' }),
      skipPublicHolidays: z.boolean().default(true),
      answerWindowDays: z.number().int().min(1).max(60).default(7),
      resurveyAfterDays: z.number().int().min(0).max(365).default(30),
      minAge: z.number().int().min(0).max(120).default(18),
      otherLanguage: language.default('fi'),
      excludeSensitiveUnits: z.boolean().default(false),
      maxVisitAgeHours: z.number().positive().default(72),
    })
    .prefault({}),
  sending: z
    .strictObject({
      ratePerSecond: z.number().positive().default(10),
      concurrency: z.number().int().min(1).max(200).default(10),
      /** How long a text that surely did not go out (Twilio down or refusing our credentials) is retried. */
      retryForHours: z.number().min(0).max(168).default(24),
    })
    .prefault({}),
  reporting: z
    .strictObject({ minN: z.number().int().min(1).default(5), targetNps: z.number().min(-100).max(100).default(60) })
    .prefault({}),
});

export type KaikuConfig = z.infer<typeof kaikuConfigSchema>;
export type UnitConfig = KaikuConfig['units'][number];

/** The example county shipped with the repository, used when KAIKU_CONFIG is not set. */
export const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL('../../../config/kaiku.example.yaml', import.meta.url));

export function parseKaikuConfig(raw: unknown, source = 'KAIKU_CONFIG'): KaikuConfig {
  const result = kaikuConfigSchema.safeParse(raw, { reportInput: true });
  const duplicates = duplicateUnitIds(raw);
  if (!result.success || duplicates.length > 0) {
    const context = {
      knownKeys: (path: readonly PropertyKey[]) => keysAt(kaikuConfigSchema, path),
      where: (path: readonly PropertyKey[]) => unitAt(raw, path),
    };
    throw new ConfigError(source, [...(result.success ? [] : describeIssues(result.error, context)), ...duplicates]);
  }
  return result.data;
}

/** The keys the schema takes for an object at `path` (through defaults, nullables, pipes and arrays). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.core.$ZodType | undefined = schema;
  const remaining = [...path];
  while (at) {
    const def = at._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
      element?: z.core.$ZodType;
    };
    if (def.innerType) at = def.innerType;
    else if (def.type === 'pipe') at = def.in;
    else if (def.type === 'array' && typeof remaining[0] === 'number') {
      remaining.shift();
      at = def.element;
    } else if (def.shape && remaining.length === 0) return Object.keys(def.shape);
    else if (def.shape) at = def.shape[String(remaining.shift())];
    else return [];
  }
  return [];
}

/** "unit <id>" for a path inside `units.<n>`: a county's list of units is long, and an index alone is hard to find. */
function unitAt(raw: unknown, path: readonly PropertyKey[]): string | null {
  if (path[0] !== 'units' || typeof path[1] !== 'number' || path[2] === 'id') return null;
  const id = ((raw as { units?: Array<{ id?: unknown } | null> } | null)?.units?.[path[1]] ?? null)?.id;
  return typeof id === 'string' && id.trim() ? `unit ${id.trim()}` : null;
}

/**
 * Unit ids given twice, read from the input as it came, apart from the schema: so that they are
 * named with every other mistake (zod skips a refinement of an object once a field's type is wrong).
 */
function duplicateUnitIds(raw: unknown): string[] {
  const units: unknown = (raw as { units?: unknown } | null)?.units;
  if (!Array.isArray(units)) return [];
  const seen = new Map<string, number>();
  return units.flatMap((unit: unknown, i) => {
    const id = (unit as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return [];
    const key = unitIdOf(id);
    const first = seen.get(key);
    if (first !== undefined) return [`units.${i}.id: duplicate unit id ${key} (given first as units.${first})`];
    seen.set(key, i);
    return [];
  });
}

/** Reads and validates the units/survey file (YAML or JSON); a relative path from `relativeTo`, else the working directory. */
export function loadKaikuConfig(path: string | undefined, relativeTo?: string): KaikuConfig {
  const file = path ? resolve(relativeTo ?? '.', path) : EXAMPLE_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`KAIKU_CONFIG (${file})`, [`KAIKU_CONFIG: cannot be read: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (error) {
    throw new ConfigError(`KAIKU_CONFIG (${file})`, [`KAIKU_CONFIG: is not YAML or JSON: ${(error as Error).message}`]);
  }
  if (raw === null || raw === undefined) {
    throw new ConfigError(`KAIKU_CONFIG (${file})`, [
      'KAIKU_CONFIG: the file is empty: it needs the units and the survey (see config/kaiku.example.yaml)',
    ]);
  }
  return parseKaikuConfig(raw, `KAIKU_CONFIG (${file})`);
}

export function unitIndex(config: KaikuConfig): Map<string, UnitConfig> {
  return new Map(config.units.map((u) => [u.id, u]));
}

/**
 * The county's units/survey file as a service's environment names it. Outside production a missing
 * KAIKU_CONFIG means the example county; in production it is an error: with the example's units,
 * every real visit would be skipped as `unit-not-enrolled`, silently.
 */
export function kaikuConfigOf(env: { NODE_ENV?: string; KAIKU_CONFIG?: string; INIT_CWD?: string }): KaikuConfig {
  if (env.NODE_ENV === 'production' && !env.KAIKU_CONFIG?.trim()) {
    throw new ConfigError('KAIKU_CONFIG', [
      "KAIKU_CONFIG: is required in production: the path of the county's units and survey file (see config/kaiku.example.yaml)",
    ]);
  }
  return loadKaikuConfig(env.KAIKU_CONFIG?.trim() || undefined, env.INIT_CWD);
}

/**
 * A service's environment (its schema) and the county's config file that KAIKU_CONFIG names,
 * parsed once: a mistake in each is named in one error, not the second only at the next start.
 */
export function parseServiceConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> & { kaiku: KaikuConfig } {
  const errors: ConfigError[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const parsed = attempt(() => parseEnv(schema, env));
  const kaiku = attempt(() => kaikuConfigOf(env));
  if (parsed === undefined || kaiku === undefined) throw ConfigError.all(errors);
  return { ...parsed, kaiku };
}
