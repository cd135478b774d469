/** One line of the benchmark table. */
export interface ResultRow {
  stage: string;
  /** The measured figure, or null when the stage could not be measured. */
  figure: number | null;
  unit: string;
  /** What the raw building block did in the same run (same unit), when there is one. */
  bound: number | null;
  boundWhat?: string;
  /** Share of the bound reached: figure/bound for rates, bound/figure for latencies (1 = as fast as raw). */
  ratio: number | null;
  target: string;
  /** null: no target, or not measured. */
  met: boolean | null;
  note?: string;
}

export type Direction = 'higher' | 'lower';

export function row(
  stage: string,
  figure: number | null,
  unit: string,
  opts: { bound?: number | null; boundWhat?: string; direction?: Direction; target?: number; targetText?: string; note?: string } = {},
): ResultRow {
  const direction = opts.direction ?? 'higher';
  const bound = opts.bound ?? null;
  let ratio: number | null = null;
  if (figure !== null && bound !== null && figure > 0 && bound > 0) ratio = direction === 'higher' ? figure / bound : bound / figure;
  let met: boolean | null = null;
  if (figure !== null && opts.target !== undefined) met = direction === 'higher' ? figure >= opts.target : figure < opts.target;
  const target = opts.targetText ?? (opts.target === undefined ? '' : `${direction === 'higher' ? '≥' : '<'} ${fmt(opts.target)} ${unit}`);
  return {
    stage,
    figure,
    unit,
    bound,
    ...(opts.boundWhat ? { boundWhat: opts.boundWhat } : {}),
    ratio,
    target,
    met,
    ...(opts.note ? { note: opts.note } : {}),
  };
}

export function notAvailable(stage: string, unit: string, target: string, why: string): ResultRow {
  return { stage, figure: null, unit, bound: null, ratio: null, target, met: null, note: why };
}

export function fmt(n: number | null): string {
  if (n === null || Number.isNaN(n)) return '–';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function formatTable(rows: ResultRow[]): string {
  const header = ['stage', 'figure', 'bound', 'ratio', 'target', 'met'];
  const lines = rows.map((r) => [
    r.stage,
    r.figure === null ? (r.note ? 'n/a' : '–') : `${fmt(r.figure)} ${r.unit}`,
    r.bound === null ? '–' : `${fmt(r.bound)} ${r.unit}`,
    r.ratio === null ? '–' : `${Math.round(r.ratio * 100)} %`,
    r.target || '–',
    r.met === null ? '–' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const out = [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.stage}: ${r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
