/**
 * What a set of published sums gives away. Each equation says that the hidden cells it names add
 * up to a known figure (a published sum minus its shown cells); a sum of hidden cells is given
 * away when some combination of the equations isolates it, that is, when its vector lies in their
 * span. The same equations hold for promoters, passives and detractors alike, so this depends on
 * the pattern only, never on the values.
 *
 * Unknowns that share no equation are independent: each connected group is solved on its own. A
 * group of more than `MAX_GROUP` unknowns is not solved (its elimination would cost seconds): a sum
 * in it counts as not given away, and the line-by-line protection still holds there.
 */
import type { Line, SuppressionCell, SuppressionMark } from './suppression.ts';

const EPS = 1e-9;
export const MAX_GROUP = 400;

export interface Span {
  /** Whether the sum of these unknowns is given away by the equations. */
  contains(unknowns: readonly number[]): boolean;
}

interface Group {
  /** Each unknown's column in the group. */
  column: Map<number, number>;
  /** Reduced row echelon form, with each row's pivot column; null when too big to solve. */
  rows: Float64Array[] | null;
  pivots: number[];
}

/**
 * `budget.auditOps`: arithmetic steps the eliminations may still take (spent here); a group whose
 * elimination would take more is not solved, and the budget is then spent.
 */
export function spanOf(equations: ReadonlyArray<readonly number[]>, count: number, budget: { auditOps: number }): Span {
  const parent = Array.from({ length: count }, (_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[i] !== r) [parent[i], i] = [r, parent[i] as number];
    return r;
  };
  for (const eq of equations) for (const i of eq.slice(1)) parent[root(i)] = root(eq[0] as number);
  const push = <T>(map: Map<number, T[]>, key: number, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const members = new Map<number, number[]>();
  for (let i = 0; i < count; i++) push(members, root(i), i);
  const groupEquations = new Map<number, Array<readonly number[]>>();
  for (const eq of equations) if (eq.length) push(groupEquations, root(eq[0] as number), eq);
  const groups = new Map<number, Group>();
  for (const [r, unknowns] of members) {
    const column = new Map(unknowns.map((u, k) => [u, k]));
    const eqs = groupEquations.get(r) ?? [];
    const cost = eqs.length * unknowns.length * Math.min(eqs.length, unknowns.length);
    if (unknowns.length > MAX_GROUP || cost > budget.auditOps) {
      if (unknowns.length <= MAX_GROUP) budget.auditOps = 0;
      groups.set(r, { column, rows: null, pivots: [] });
      continue;
    }
    budget.auditOps -= cost;
    groups.set(r, {
      column,
      ...reduce(
        eqs.map((eq) => eq.map((u) => column.get(u) as number)),
        unknowns.length,
      ),
    });
  }
  return {
    contains(unknowns) {
      if (unknowns.length === 0) return false;
      const parts = new Map<number, number[]>();
      for (const u of unknowns) push(parts, root(u), u);
      for (const [r, part] of parts) {
        const g = groups.get(r) as Group;
        if (!g.rows || !inRowSpace(g, part)) return false;
      }
      return true;
    },
  };
}

/** Gauss–Jordan elimination to reduced row echelon form. */
function reduce(equations: ReadonlyArray<readonly number[]>, count: number): { rows: Float64Array[]; pivots: number[] } {
  const rows: Float64Array[] = equations.map((members) => {
    const row = new Float64Array(count);
    for (const i of members) row[i] = 1;
    return row;
  });
  const pivots: number[] = [];
  let rank = 0;
  for (let col = 0; col < count && rank < rows.length; col++) {
    const found = rows.findIndex((row, k) => k >= rank && Math.abs(row[col] as number) > EPS);
    if (found < 0) continue;
    const pivot = rows[found] as Float64Array;
    rows[found] = rows[rank] as Float64Array;
    rows[rank] = pivot;
    const scale = pivot[col] as number;
    for (let q = col; q < count; q++) pivot[q] = (pivot[q] as number) / scale;
    for (const [k, row] of rows.entries()) {
      const factor = row[col] as number;
      if (k === rank || Math.abs(factor) <= EPS) continue;
      for (let q = col; q < count; q++) row[q] = (row[q] as number) - factor * (pivot[q] as number);
    }
    pivots[rank++] = col;
  }
  return { rows: rows.slice(0, rank), pivots };
}

/** Whether the 0/1 vector of `unknowns` is a combination of the group's rows: nothing is left after taking them out. */
function inRowSpace(g: Group, unknowns: readonly number[]): boolean {
  const rows = g.rows as Float64Array[];
  const v = new Float64Array(g.column.size);
  for (const u of unknowns) v[g.column.get(u) as number] = 1;
  for (const [k, row] of rows.entries()) {
    const f = v[g.pivots[k] as number] as number;
    if (Math.abs(f) <= EPS) continue;
    for (let q = 0; q < v.length; q++) v[q] = (v[q] as number) - f * (row[q] as number);
  }
  return v.every((x) => Math.abs(x) <= EPS);
}

/** What the audit works on: the table's cells and marks (changed in place), its lines and line rule. */
export interface AuditInput {
  cells: readonly SuppressionCell[];
  marks: Array<SuppressionMark | null>;
  exposed: readonly boolean[];
  /** The table's lines and the coarser reports' cells over it. */
  lines: readonly Line[];
  minN: number;
  /** Whether a line's sum is shown where it is published. */
  published: (line: Line) => boolean;
  /** The line-by-line protection, run again after each cell the audit hides. */
  protectLines: () => void;
  /** The work left for the whole call (spent here). */
  budget: { auditOps: number };
}

/**
 * Small groups (a small cell, or a coarser report's small group made of cells here) whose figures
 * the published sums give away get another cell hidden: of the cells on their lines, the smallest
 * that stops it (tried in order, up to six). One that no such cell can protect is the limit of what
 * the table can do; it is left, and nothing is hidden for it in vain. The work is bounded: past
 * the budget, the lines are still protected one by one.
 */
export function auditPattern({ cells, marks, exposed, lines, minN, published, protectLines, budget }: AuditInput) {
  const nOf = (i: number) => (cells[i] as SuppressionCell).n;
  const targets = [
    ...cells.flatMap((_, i) => (marks[i] === 'small-group' ? [[i]] : [])),
    ...lines.filter((l) => !l.isTable && l.marginalN > 0 && l.marginalN < minN && l.members.length > 1).map((l) => l.members),
  ];
  const unprotectable = new Set<number[]>();
  /** What the published sums give away, as the marks stand now. */
  const givenNow = () => {
    const hidden = marks.flatMap((m, i) => (m === null ? [] : [i]));
    const column = new Map(hidden.map((i, k) => [i, k]));
    const inColumns = (members: number[]) => members.flatMap((i) => (column.has(i) ? [column.get(i) as number] : []));
    const equations = lines.filter(published).map((l) => inColumns(l.members));
    const span = spanOf(
      equations.filter((e) => e.length > 0),
      hidden.length,
      budget,
    );
    return (target: number[]) => span.contains(inColumns(target));
  };
  for (;;) {
    if (budget.auditOps <= 0) return;
    const given = givenNow();
    const target = targets.find((t) => !unprotectable.has(t) && given(t));
    if (!target) return;
    const near = new Set(lines.filter((l) => l.members.some((i) => target.includes(i))).flatMap((l) => l.members));
    const candidates = [...near].filter((i) => marks[i] === null && !exposed[i]).sort((a, b) => nOf(a) - nOf(b) || a - b);
    const helps = candidates.slice(0, 6).find((i) => {
      marks[i] = 'complementary';
      if (!givenNow()(target)) return true;
      marks[i] = null;
      return false;
    });
    if (helps === undefined) unprotectable.add(target);
    else protectLines();
  }
}
