/**
 * Small-group suppression for a table of counts (statistical disclosure control).
 *
 * Primary: a cell with fewer than `minN` answers shows no figures. Complementary: whenever a line
 * of cells whose sum is published elsewhere holds suppressed cells whose sum could be recovered by
 * subtraction as a small group (one cell, or several with fewer than `minN` answers together),
 * more cells are suppressed until it can't (the smallest that does it) — or, for the line of all
 * cells when no other cell would help, the total. Lines are the whole table (its sum
 * is the report's total) and, for tables grouped by two or more dimensions, every line along one
 * dimension (its sum is what a report grouped by the other dimensions shows). The whole-table line
 * is always protected; the other lines are protected whenever the table holds a cell that can do it.
 *
 * A cell that is alone in its line is the same group as a cell of the report grouped by the other
 * dimensions (same filters): it takes that report's mark, so that no grouping shows what another
 * hides, and it is never chosen as a complement here (shown there, hiding it here protects nothing).
 * A line whose sum that report hides keeps at least one of its cells hidden here, or adding the
 * line up would give the hidden sum back. Units nest in services the same way (`Nesting`).
 */
import { auditPattern } from './suppression-audit.ts';

export type SuppressionMark = 'small-group' | 'complementary';

export interface SuppressionCell {
  key: Readonly<Record<string, string>>;
  n: number;
}

export interface SuppressionResult {
  /** The mark of each cell, in the input order; null = shown. */
  cells: Array<SuppressionMark | null>;
  total: SuppressionMark | null;
  /** Cells that are a coarser report's cell (alone in their line): marked as there, never chosen as complements. */
  exposed: boolean[];
}

/**
 * One dimension nested in another (each unit belongs to one service): the report grouped by the
 * parent publishes the sum of each parent's cells. So a table grouped by the child but not by the
 * parent has a line more per parent (with the other dimensions the same), protected like the rest:
 * otherwise a service's figure minus its units' shown figures gives its one hidden unit's.
 */
export interface Nesting {
  dim: string;
  parentDim: string;
  /** The parent of a child value; undefined when not known (no line is drawn for it). */
  parentOf(value: string): string | undefined;
}

/** `nesting`: one or more (units nest in services, and in sources where each unit has one). */
export function suppressSmallGroups(
  cells: readonly SuppressionCell[],
  dims: readonly string[],
  minN: number,
  nesting?: Nesting | readonly Nesting[],
): SuppressionResult {
  const nestings = nesting === undefined ? [] : 'dim' in nesting ? [nesting] : nesting;
  return suppress(cells, dims, minN, Object.assign(new Map(), { auditOps: AUDIT_OPS }), nestings);
}

/**
 * Each coarser grouping's marks, worked out once per call from the same cells, and what is left of
 * the call's audit work (arithmetic steps of the eliminations, counted, so that the same cells
 * always get the same marks): about a quarter of a second on the console's one thread.
 */
type Coarser = Map<string, Map<string, SuppressionMark | null>> & { auditOps: number };
const AUDIT_OPS = 60_000_000;

/**
 * The same marks whatever order the cells and dimensions come in (`unit,month` or `month,unit`,
 * SQL's order or a sum's first-seen order): the cells are worked on in the order of their keys,
 * and the dimensions in name order, so that a report and another's view of it always agree.
 */
function suppress(
  cells: readonly SuppressionCell[],
  dims: readonly string[],
  minN: number,
  coarser: Coarser,
  nestings: readonly Nesting[],
): SuppressionResult {
  const sortedDims = [...dims].sort();
  const keyOf = (c: SuppressionCell) => JSON.stringify(sortedDims.map((d) => c.key[d]));
  const order = cells.map((c, i) => ({ i, key: keyOf(c) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  const result = suppressInOrder(
    order.map(({ i }) => cells[i] as SuppressionCell),
    sortedDims,
    minN,
    coarser,
    nestings,
  );
  const marks = new Array<SuppressionMark | null>(cells.length);
  const exposed = new Array<boolean>(cells.length);
  order.forEach(({ i }, k) => {
    marks[i] = result.cells[k] ?? null;
    exposed[i] = result.exposed[k] ?? false;
  });
  return { cells: marks, total: result.total, exposed };
}

export interface Line {
  members: number[];
  /** The published sum of the line: the total, or a cell of a coarser report. */
  marginalN: number;
  /** That sum is not published: below minN, or hidden by the coarser report. */
  marginalHidden: boolean;
  /**
   * That sum is shown where it is published (the audit's equations). Not `!marginalHidden` for a
   * parent's line: that one is protected as if published also when the parent report hides it as
   * a complement (it protects more), but counting it as published in the audit would hide more
   * than needed (the county's total, in a demo day of ten small units).
   */
  shown: boolean;
  isTable: boolean;
}

/** The coarser report hides the line's sum: the line keeps a cell hidden, or adding it up gives the sum back. */
function mustHold(line: Line): boolean {
  return !line.shown;
}

/** `coarser` keeps each coarser grouping's marks, worked out once per call from the same cells. */
function suppressInOrder(
  cells: readonly SuppressionCell[],
  dims: readonly string[],
  minN: number,
  coarser: Coarser,
  nestings: readonly Nesting[],
): SuppressionResult {
  const marks: Array<SuppressionMark | null> = cells.map((c) => (c.n < minN ? 'small-group' : null));
  const totalN = cells.reduce((sum, c) => sum + c.n, 0);
  let total: SuppressionMark | null = totalN < minN ? 'small-group' : null;
  const lines: Line[] = [
    { members: cells.map((_, i) => i), marginalN: totalN, marginalHidden: total !== null, shown: true, isTable: true },
  ];
  const exposed = cells.map(() => false);
  if (dims.length >= 2) {
    for (const dim of dims) {
      const rest = dims.filter((d) => d !== dim);
      const restKey = (c: SuppressionCell) => JSON.stringify(rest.map((d) => c.key[d]));
      const byRest = new Map<string, number[]>();
      cells.forEach((c, i) => {
        const members = byRest.get(restKey(c));
        if (members) members.push(i);
        else byRest.set(restKey(c), [i]);
      });
      const coarseMarks = coarserMarks(cells, rest, (c, d) => c.key[d], minN, coarser, nestings);
      for (const [key, members] of byRest) {
        const mark = coarseMarks.get(key) ?? null;
        const marginalN = members.reduce((s, i) => s + (cells[i] as SuppressionCell).n, 0);
        lines.push({ members, marginalN, marginalHidden: mark !== null, shown: mark === null, isTable: false });
        if (members.length !== 1) continue;
        const only = members[0] as number;
        exposed[only] = true;
        if (mark !== null && marks[only] === null) marks[only] = 'complementary';
      }
    }
  }

  for (const nesting of nestings) {
    if (!dims.includes(nesting.dim) || dims.includes(nesting.parentDim)) continue;
    // The parent report's cell: published unless it is small itself (when it is hidden there only
    // to protect another, treating it as published protects more here, never less; and the line
    // then keeps a cell hidden, so that its sum does not give that cell back).
    const rest = dims.filter((d) => d !== nesting.dim);
    const parentDims = [nesting.parentDim, ...rest];
    const dimValue = (c: SuppressionCell, d: string) =>
      d === nesting.parentDim ? nesting.parentOf(c.key[nesting.dim] as string) : c.key[d];
    const parentMarks = coarserMarks(cells, parentDims, dimValue, minN, coarser, nestings);
    const byParent = new Map<string, number[]>();
    cells.forEach((c, i) => {
      if (dimValue(c, nesting.parentDim) === undefined) return;
      const key = JSON.stringify(parentDims.map((d) => dimValue(c, d)));
      const members = byParent.get(key);
      if (members) members.push(i);
      else byParent.set(key, [i]);
    });
    for (const [key, members] of byParent) {
      const mark = parentMarks.get(key) ?? null;
      const marginalN = members.reduce((s, i) => s + (cells[i] as SuppressionCell).n, 0);
      lines.push({ members, marginalN, marginalHidden: marginalN < minN, shown: mark === null, isTable: false });
      if (members.length !== 1) continue;
      // A parent with one child: that cell is the parent report's, shown there, hidden as there.
      const only = members[0] as number;
      if (marginalN >= minN) exposed[only] = true;
      if (mark !== null && marks[only] === null) marks[only] = 'complementary';
    }
  }

  // The lines each cell is in, for choosing a complement that protects the small cell's other lines at once.
  // (built only for a table by one dimension, the only one that uses it)
  const oneWay = dims.length === 1;
  const linesOf = cells.map(() => [] as Line[]);
  if (oneWay) for (const line of lines) for (const i of line.members) linesOf[i]?.push(line);
  const membersOf = new Map(oneWay ? lines.map((line) => [line, new Set(line.members)]) : []);
  /** How many other lines `i` shares with the hidden cells of `line` (the complement that serves them all first). */
  const sharedLines = (i: number, line: Line, hidden: number[]) =>
    (linesOf[i] as Line[]).filter((l) => l !== line && hidden.some((h) => membersOf.get(l)?.has(h))).length;

  const nOf = (i: number) => (cells[i] as SuppressionCell).n;
  const published = (line: Line) => (line.isTable ? total === null : line.shown);
  const protectLines = () => {
    for (let changed = true; changed; ) {
      changed = protectEachLine();
    }
  };
  protectLines();
  // Each line is safe on its own; a combination of published sums can still isolate a small group
  // (unit 21's September from its unit line, two month lines and another unit's line), also with
  // reports two or more dimensions coarser. Hide more until none does.
  const audited = dims.length >= 3 ? [...lines, ...deeperLines(cells, dims, minN, coarser, nestings)] : lines;
  auditPattern({
    cells,
    marks,
    exposed,
    lines: audited,
    minN,
    published,
    protectLines,
    budget: coarser,
  });
  return { cells: marks, total, exposed };

  /** One pass over the lines; whether it hid anything. */
  function protectEachLine(): boolean {
    let changed = false;
    for (const line of lines) {
      if (mustHold(line) && line.members.every((i) => marks[i] === null)) {
        const hideable = line.members.filter((i) => !exposed[i]);
        if (hideable.length) {
          marks[hideable.reduce((best, i) => (nOf(i) < nOf(best) ? i : best))] = 'complementary';
          changed = true;
        }
      }
      // A sum that is not published (too small, or hidden itself) gives nothing to subtract from.
      if (line.isTable ? total !== null : line.marginalHidden) continue;
      // Subtracting the shown cells from the sum gives the hidden cells' sum: safe only as the sum
      // of two or more groups with at least minN answers together.
      const hidden = line.members.filter((i) => marks[i] !== null);
      const hiddenN = hidden.reduce((sum, i) => sum + nOf(i), 0);
      if (hidden.length === 0 || (hidden.length >= 2 && hiddenN >= minN)) continue;
      const protecting = line.members.filter((i) => marks[i] === null && !exposed[i]);
      if (protecting.length === 0 && line.isTable) {
        total = 'complementary';
        changed = true;
        continue;
      }
      if (protecting.length === 0) continue;
      // Of the cells that make the hidden sum big enough, in a table by one dimension the one in most
      // of the hidden cells' other lines (the unit beside a small one in its service, its source and
      // both: one complement for all of them, where the smallest anywhere started a chain that hid
      // whole services; a regression probe), then the smallest; else the biggest (and look again).
      // Tables by more dimensions take the smallest: a third probe found them hiding more that way,
      // and a coarser report's changed choice left a three-way line open.
      const need = minN - hiddenN;
      const enough = protecting.filter((i) => nOf(i) >= need);
      const shared = new Map(enough.map((i) => [i, oneWay ? sharedLines(i, line, hidden) : 0]));
      const chosen = enough.length
        ? enough.reduce((best, i) => {
            const [a, b] = [shared.get(i) as number, shared.get(best) as number];
            return a > b || (a === b && nOf(i) < nOf(best)) ? i : best;
          })
        : protecting.reduce((best, i) => (nOf(i) > nOf(best) ? i : best));
      marks[chosen] = 'complementary';
      changed = true;
    }
    return changed;
  }
}

/**
 * The cells of each report two or more dimensions coarser (by every smaller set of the table's
 * dimensions), as lines for the audit only: their sums are published too.
 */
function deeperLines(
  cells: readonly SuppressionCell[],
  dims: readonly string[],
  minN: number,
  coarser: Coarser,
  nestings: readonly Nesting[],
): Line[] {
  const subsets: string[][] = [];
  for (let mask = 1; mask < (1 << dims.length) - 1; mask++) {
    const subset = dims.filter((_, k) => mask & (1 << k));
    if (subset.length <= dims.length - 2) subsets.push(subset);
  }
  return subsets.flatMap((subset) => {
    const marks = coarserMarks(cells, subset, (c, d) => c.key[d], minN, coarser, nestings);
    const byKey = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const key = JSON.stringify(subset.map((d) => c.key[d]));
      const members = byKey.get(key);
      if (members) members.push(i);
      else byKey.set(key, [i]);
    });
    return [...byKey].map(([key, members]) => {
      const mark = marks.get(key) ?? null;
      const marginalN = members.reduce((s, i) => s + (cells[i] as SuppressionCell).n, 0);
      return { members, marginalN, marginalHidden: mark !== null, shown: mark === null, isTable: false };
    });
  });
}

/**
 * The marks of the report grouped by `dims` over the same cells, by its cells' keys; `dimValue` gives
 * a cell's value of each of those dimensions (a unit's service for the parent's), undefined: the
 * cell is in no group of that report.
 */
function coarserMarks(
  cells: readonly SuppressionCell[],
  dims: readonly string[],
  dimValue: (c: SuppressionCell, dim: string) => string | undefined,
  minN: number,
  coarser: Coarser,
  nestings: readonly Nesting[],
): Map<string, SuppressionMark | null> {
  const id = JSON.stringify(dims);
  const known = coarser.get(id);
  if (known) return known;
  const sums = new Map<string, SuppressionCell>();
  for (const c of cells) {
    const values = dims.map((d) => dimValue(c, d));
    if (values.includes(undefined)) continue;
    const key = JSON.stringify(values);
    const sum = sums.get(key);
    if (sum) sum.n += c.n;
    else sums.set(key, { key: Object.fromEntries(dims.map((d, i) => [d, values[i] as string])), n: c.n });
  }
  const keys = [...sums.keys()];
  const result = suppress([...sums.values()], dims, minN, coarser, nestings);
  const byKey = new Map(keys.map((k, i) => [k, result.cells[i] ?? null]));
  coarser.set(id, byKey);
  return byKey;
}
