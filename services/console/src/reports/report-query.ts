import { z } from 'zod';

export const GROUP_DIMENSIONS = ['unit', 'service', 'month', 'week', 'ageBand', 'language', 'source'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** SQL expression of each dimension over nps_daily (`d`). Fixed strings only: never user input. */
export const DIMENSION_SQL: Record<GroupDimension, string> = {
  unit: 'd.unit_id',
  service: 'd.service',
  month: `to_char(d.day, 'YYYY-MM')`,
  week: `to_char(d.day, 'IYYY-"W"IW')`,
  ageBand: 'd.age_band',
  language: 'd.language',
  source: 'd.source',
};

const day = z.iso.date();
const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

export const reportQuerySchema = z
  .object({
    from: day,
    to: day,
    groupBy: list.pipe(z.array(z.enum(GROUP_DIMENSIONS)).max(GROUP_DIMENSIONS.length)),
    unit: list,
    service: list,
    language: list,
    ageBand: list,
    source: list,
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** WHERE clause and parameters for the period and filters. */
export function whereClause(q: ReportQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.from, q.to];
  const parts = ['d.day BETWEEN $1 AND $2'];
  const filters: Array<[string[], string]> = [
    [q.unit, 'd.unit_id'],
    [q.service, 'd.service'],
    [q.language, 'd.language'],
    [q.ageBand, 'd.age_band'],
    [q.source, 'd.source'],
  ];
  for (const [values, column] of filters) {
    if (values.length === 0) continue;
    params.push(values);
    parts.push(`${column} = ANY($${params.length}::text[])`);
  }
  return { sql: parts.join(' AND '), params };
}
