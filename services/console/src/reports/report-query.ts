import { type KaikuConfig, SERVICE_KINDS } from '@kaiku/config';
import { AGE_BANDS, isStorableText, LANGUAGES, type Nesting, unitIdOf } from '@kaiku/core';
import { z } from 'zod';

export const GROUP_DIMENSIONS = ['unit', 'service', 'month', 'week', 'ageBand', 'language', 'source'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];
export const MAX_GROUP_BY = 4;

/** SQL expression of each dimension over a rollup source (`d`). Fixed strings only: never user input. */
export const DIMENSION_SQL: Record<GroupDimension, string> = {
  unit: 'd.unit_id',
  service: 'd.service',
  month: `to_char(d.month, 'YYYY-MM')`,
  week: `to_char(d.day, 'IYYY-"W"IW')`,
  ageBand: 'd.age_band',
  language: 'd.language',
  source: 'd.source',
};

/**
 * Other spellings of a dimension, as the CSV's columns or a hurried hand write them (`age_band`,
 * `AgeBand`, `unit_id`, `visit_month`); compared without case, `_`, `-` or spaces.
 */
const DIMENSION_ALIASES: Record<string, GroupDimension> = {
  ...Object.fromEntries(GROUP_DIMENSIONS.map((d) => [d.toLowerCase(), d])),
  unitid: 'unit',
  visitmonth: 'month',
  age: 'ageBand',
  agegroup: 'ageBand',
  lang: 'language',
};
const dimensionOf = (name: string) => DIMENSION_ALIASES[name.toLowerCase().replace(/[\s_-]/gu, '')] ?? name;

/** A Europe/Helsinki day in the years reports can cover (Postgres can't place year 0 or 10000). */
const day = z.iso.date({ abort: true }).refine((d) => d >= '1900-01-01' && d <= '2999-12-31', 'must be a day in the years 1900–2999');
const list = z
  .string()
  .refine(isStorableText, 'must not contain a NUL character or an unpaired surrogate')
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** A filter of known values: an unknown one (`language=de`, `service=dentist`) is a mistake, not an empty figure. */
const valuesOf = (values: readonly string[], normalise: (v: string) => string = (v) => v) =>
  list
    .transform((vs) => vs.map(normalise))
    // One issue for the parameter itself (`service`, not `service.0`).
    .refine((vs) => vs.every((v) => values.includes(v)), `each must be one of ${values.join(', ')}`);

const baseQuery = z.object({
  from: day,
  to: day,
  // At most four: a table by more is nearly all hidden anyway, and its suppression takes seconds.
  groupBy: valuesOf(GROUP_DIMENSIONS, dimensionOf).pipe(
    z.array(z.enum(GROUP_DIMENSIONS)).max(MAX_GROUP_BY, `at most ${MAX_GROUP_BY} dimensions`),
  ),
  // Written as ingest reads it: `urn:oid:1.2.246.…` (copied from FHIR) is the unit `1.2.246.…`.
  unit: list.transform((vs) => vs.map(unitIdOf)),
  // `unknown`: the visits of units the config does not list (skipped unit-not-enrolled)
  service: valuesOf([...SERVICE_KINDS, 'unknown']),
  language: valuesOf(LANGUAGES, (v) => v.toLowerCase()),
  // `75+` in a URL reads as `75 ` when its `+` is not encoded; `unknown`: no birth date known.
  ageBand: valuesOf([...AGE_BANDS, 'unknown'], (v) => (v === '75' ? '75+' : v)),
  // Sources are named in lower case (INGEST_TOKENS refuses others): `Lifecare` is lifecare, and a
  // value no source can be named (`life care`) is a mistake, not an empty figure.
  source: list
    .transform((vs) => vs.map((v) => v.toLowerCase()))
    .refine((vs) => vs.every((v) => SOURCE_NAME.test(v)), 'each must be a source name: letters, digits and dashes'),
  format: z.enum(['json', 'csv']).default('json'),
  /** May raise the configured minimum group size, never lower it. */
  minN: z.coerce.number().int().min(1).max(1000).optional(),
  targetNps: z.coerce.number().min(-100).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** The parameters every report and the export take. */
const COMMON_PARAMETERS = ['from', 'to', 'unit', 'service', 'language', 'ageBand', 'source', 'format'] as const;
/** The ones that narrow what is counted. */
export const FILTER_PARAMETERS = ['unit', 'service', 'language', 'ageBand', 'source'] as const;

/**
 * The parameters each endpoint takes; any other is refused, not ignored: a typo such as `units`,
 * `groupby`, `unit[]`, or one that endpoint has no use for (`minN` on the export, which lists
 * answers, not groups; `limit` on the NPS report).
 */
export const REPORT_PARAMETERS = {
  nps: [...COMMON_PARAMETERS, 'groupBy', 'minN'],
  funnel: [...COMMON_PARAMETERS, 'groupBy', 'minN'],
  targets: [...COMMON_PARAMETERS, 'targetNps', 'minN'],
  comments: [...COMMON_PARAMETERS, 'limit', 'offset', 'minN'],
  responses: COMMON_PARAMETERS,
} satisfies Record<string, ReadonlyArray<keyof typeof baseQuery.shape>>;
export type ReportEndpoint = keyof typeof REPORT_PARAMETERS;

export const reportQuerySchema = baseQuery
  .refine((q) => !(day.safeParse(q.from).success && day.safeParse(q.to).success) || q.from <= q.to, {
    path: ['to'],
    message: 'must not be before from',
  })
  .refine((q) => new Set(q.groupBy).size === q.groupBy.length, { path: ['groupBy'], message: 'names a dimension twice' });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export function effectiveMinN(q: ReportQuery, configured: number): number {
  return Math.max(configured, q.minN ?? configured);
}

/** Filters on the rollup source `d`, as `AND …` clauses; values go into `params`. */
export function filterClause(q: ReportQuery, params: unknown[]): string {
  const filters: Array<[string[], string]> = [
    [q.unit, 'd.unit_id'],
    [q.service, 'd.service'],
    [q.language, 'd.language'],
    [q.ageBand, 'd.age_band'],
    [q.source, 'd.source'],
  ];
  let sql = '';
  for (const [values, column] of filters) {
    if (values.length === 0) continue;
    params.push(values);
    sql += ` AND ${column} = ANY($${params.length}::text[])`;
  }
  return sql;
}

/** Units nest in services (config): a table by unit is also protected against the table by service. */
export function unitsInServices(kaiku: KaikuConfig): Nesting {
  const serviceOf = new Map(kaiku.units.map((u) => [u.id, u.service as string]));
  return { dim: 'unit', parentDim: 'service', parentOf: (unit) => serviceOf.get(unit) };
}
