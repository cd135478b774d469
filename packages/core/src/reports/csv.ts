/**
 * RFC 4180 CSV. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe, so an open-text answer can never become a formula in Excel or LibreOffice.
 * Excel set to Finnish or Swedish splits a CSV it opens at `;` (and, reading quotes only at a
 * cell's start, at line breaks inside quotes), so a comment's `…;=cmd|…` would start a cell of its
 * own: such a formula after a `;` or a line break gets the apostrophe as well.
 */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * `semicolons`: for Excel set to Finnish or Swedish, which reads a file it opens as `;`-separated
 * with decimal commas (a comma-separated file lands in one column, and `0.5` may become 1 May):
 * fields separated by `;`, numbers written with a decimal comma. Text is written as it is.
 */
export interface CsvDialect {
  semicolons: boolean;
}
const COMMAS: CsvDialect = { semicolons: false };

const FORMULA_START = /^[=+\-@\t\r]/;
const FORMULA_AFTER_BREAK = /([;\r\n][ \t]*)(?=[=+\-@])/g;

export function csvField(value: CsvValue, dialect: CsvDialect = COMMAS): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return dialect.semicolons ? String(value).replace('.', ',') : String(value);
  const guarded = value.replace(FORMULA_AFTER_BREAK, "$1'");
  const text = FORMULA_START.test(guarded) ? `'${guarded}` : guarded;
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[], dialect: CsvDialect = COMMAS): string {
  return `${values.map((v) => csvField(v, dialect)).join(dialect.semicolons ? ';' : ',')}\r\n`;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>, dialect: CsvDialect = COMMAS): string {
  return csvLine(header, dialect) + rows.map((row) => csvLine(row, dialect)).join('');
}
