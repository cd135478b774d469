/**
 * Which unknowns a set of published sums gives away. Each equation says that the hidden cells it
 * names add up to a known figure (a line's published sum minus its shown cells); an unknown is
 * given away when some combination of the equations isolates it, that is, when its unit vector
 * lies in their span. The same equations hold for promoters, passives and detractors alike, so
 * this depends on the pattern only, never on the values.
 *
 * Unknowns that share no equation are independent: each connected group is solved on its own. A
 * group of more than `MAX_GROUP` unknowns is not audited (its elimination would cost seconds); the
 * line-by-line protection still holds there.
 */
const EPS = 1e-9;
export const MAX_GROUP = 400;

export function determinedUnknowns(equations: ReadonlyArray<readonly number[]>, count: number): boolean[] {
  const parent = Array.from({ length: count }, (_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[i] !== r) [parent[i], i] = [r, parent[i] as number];
    return r;
  };
  for (const eq of equations) for (const i of eq.slice(1)) parent[root(i)] = root(eq[0] as number);
  const groups = new Map<number, { unknowns: number[]; equations: Array<readonly number[]> }>();
  for (let i = 0; i < count; i++) {
    const g = groups.get(root(i)) ?? { unknowns: [], equations: [] };
    g.unknowns.push(i);
    groups.set(root(i), g);
  }
  for (const eq of equations) if (eq.length) groups.get(root(eq[0] as number))?.equations.push(eq);
  const determined = new Array<boolean>(count).fill(false);
  for (const g of groups.values()) {
    if (g.unknowns.length > MAX_GROUP || g.equations.length === 0) continue;
    const local = new Map(g.unknowns.map((u, k) => [u, k]));
    const found = determinedInGroup(
      g.equations.map((eq) => eq.map((u) => local.get(u) as number)),
      g.unknowns.length,
    );
    found.forEach((yes, k) => {
      if (yes) determined[g.unknowns[k] as number] = true;
    });
  }
  return determined;
}

/** Gauss–Jordan elimination to reduced row echelon form: a unit vector is in the span only as a row of its own. */
function determinedInGroup(equations: ReadonlyArray<readonly number[]>, count: number): boolean[] {
  const rows: Float64Array[] = equations.map((members) => {
    const row = new Float64Array(count);
    for (const i of members) row[i] = 1;
    return row;
  });
  const pivotOf: number[] = [];
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
    pivotOf[rank++] = col;
  }
  const determined = new Array<boolean>(count).fill(false);
  for (let k = 0; k < rank; k++) {
    const row = rows[k] as Float64Array;
    const col = pivotOf[k] as number;
    if (row.every((v, q) => q === col || Math.abs(v) <= EPS)) determined[col] = true;
  }
  return determined;
}
