import type { Nesting } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { filterClause, type ReportQuery } from './report-query.ts';
import { rollupSource } from './rollup-source.ts';

/**
 * Units nest in sources where each unit's figures in the period came from one record system, as
 * they do in a county (a unit is on one): the report grouped by source publishes each source's sum
 * of its units, so a table by unit is protected against it as against the one by service (an
 * analyst probe: the lifecare line minus its shown units gave a hidden unit's scores exactly). A
 * unit seen from two sources has no parent line.
 */
export async function unitsInSources(pool: Pool, q: ReportQuery): Promise<Nesting> {
  const params: unknown[] = [];
  const source = rollupSource('nps', q.from, q.to, false, params);
  const where = filterClause(q, params);
  const { rows } = await pool.query<{ unit_id: string; source: string; sources: number }>(
    `SELECT d.unit_id, min(d.source) AS source, count(DISTINCT d.source)::int AS sources
       FROM ${source} d WHERE true${where} GROUP BY d.unit_id`,
    params,
  );
  const sourceOf = new Map(rows.filter((r) => r.sources === 1).map((r) => [r.unit_id, r.source]));
  return { dim: 'unit', parentDim: 'source', parentOf: (unit) => sourceOf.get(unit) };
}

/**
 * The nestings a report by `q.groupBy` is protected against: the config's, and units in sources
 * whenever it groups by unit, also by source: the marks of its coarser reports (by unit alone, for
 * a unit × source table's unit lines) must be those the unit report itself shows (a regression
 * probe: a unit the unit report hid was the whole of its line in unit × source, and shown there).
 */
export async function reportNestings(pool: Pool, q: ReportQuery, configured?: Nesting): Promise<Nesting[]> {
  if (!q.groupBy.includes('unit')) return configured ? [configured] : [];
  const sources = await unitsInSources(pool, q);
  if (!configured) return [sources];
  // ...and in each source's services: the report by source and service publishes those sums too
  // (a source's units of one service, when the other service's unit took the source line's complement).
  const pairs: Nesting = {
    dim: 'unit',
    parentDim: `${sources.parentDim}×${configured.parentDim}`,
    parentOf: (unit) => {
      const [source, service] = [sources.parentOf(unit), configured.parentOf(unit)];
      return source !== undefined && service !== undefined ? `${source}×${service}` : undefined;
    },
  };
  return [configured, sources, pairs];
}
