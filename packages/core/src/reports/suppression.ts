/**
 * Small-group suppression for a table of counts (statistical disclosure control).
 *
 * Primary: a cell with fewer than `minN` answers shows no figures. Complementary: whenever a line
 * of cells whose sum is published elsewhere holds exactly one suppressed cell, that cell could be
 * recovered by subtraction, so a second cell (the smallest other one) is suppressed too — or, for
 * the line of all cells when no other cell would help, the total. Lines are the whole table (its sum
 * is the report's total) and, for tables grouped by two or more dimensions, every line along one
 * dimension (its sum is what a report grouped by the other dimensions shows). The whole-table line
 * is always protected; the other lines are protected whenever the table holds a cell that can do it
 * (a cell that is alone in some line equals a sum published elsewhere, so hiding it protects nothing).
 */
export type SuppressionMark = 'small-group' | 'complementary';

export interface SuppressionCell {
  key: Readonly<Record<string, string>>;
  n: number;
}

export interface SuppressionResult {
  /** The mark of each cell, in the input order; null = shown. */
  cells: Array<SuppressionMark | null>;
  total: SuppressionMark | null;
  /** Cells that equal a sum a coarser report publishes (alone in their line): never chosen as complements. */
  exposed: boolean[];
}

export function suppressSmallGroups(cells: readonly SuppressionCell[], dims: readonly string[], minN: number): SuppressionResult {
  const marks: Array<SuppressionMark | null> = cells.map((c) => (c.n < minN ? 'small-group' : null));
  const totalN = cells.reduce((sum, c) => sum + c.n, 0);
  let total: SuppressionMark | null = totalN < minN ? 'small-group' : null;

  interface Line {
    members: number[];
    /** The published sum of the line: the total, or the marginal in a coarser report. */
    marginalN: number;
    isTable: boolean;
  }
  const lines: Line[] = [{ members: cells.map((_, i) => i), marginalN: totalN, isTable: true }];
  if (dims.length >= 2) {
    for (const dim of dims) {
      const byRest = new Map<string, number[]>();
      cells.forEach((c, i) => {
        const rest = JSON.stringify(dims.filter((d) => d !== dim).map((d) => c.key[d]));
        const members = byRest.get(rest) ?? [];
        members.push(i);
        byRest.set(rest, members);
      });
      for (const members of byRest.values()) {
        lines.push({ members, marginalN: members.reduce((s, i) => s + (cells[i] as SuppressionCell).n, 0), isTable: false });
      }
    }
  }

  // A cell alone in a line whose sum is published elsewhere equals that sum: hiding it protects nothing.
  const exposed = cells.map(() => false);
  for (const line of lines) {
    if (!line.isTable && line.members.length === 1 && line.marginalN >= minN) exposed[line.members[0] as number] = true;
  }

  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const hidden = line.members.filter((i) => marks[i] !== null);
      if (hidden.length !== 1) continue;
      // A sum that is itself suppressed (below minN) publishes nothing to subtract from.
      if (line.isTable ? total !== null : line.marginalN < minN) continue;
      const candidates = line.members.filter((i) => marks[i] === null);
      const protecting = candidates.filter((i) => !exposed[i]);
      if (protecting.length === 0 && line.isTable) {
        total = 'complementary';
        changed = true;
        continue;
      }
      if (protecting.length === 0) continue;
      const smallest = protecting.reduce((best, i) => ((cells[i] as SuppressionCell).n < (cells[best] as SuppressionCell).n ? i : best));
      marks[smallest] = 'complementary';
      changed = true;
    }
  }
  return { cells: marks, total, exposed };
}
