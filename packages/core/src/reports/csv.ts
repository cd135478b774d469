/**
 * RFC 4180 CSV. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe, so an open-text answer can never become a formula in Excel or LibreOffice.
 * Excel set to Finnish or Swedish splits a CSV it opens at `;` (and, reading quotes only at a
 * cell's start, at line breaks inside quotes), so a comment's `…;=cmd|…` would start a cell of its
 * own: such a formula after a `;` or a line break gets the apostrophe as well.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const DECIMAL = /^-?\d+\.\d+$/;
const FORMULA_AFTER_BREAK = /([;\r\n][ \t]*)(?=[=+\-@])/g;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = value.replace(FORMULA_AFTER_BREAK, "$1'");
  const text = FORMULA_START.test(guarded) ? `'${guarded}` : guarded;
  // Text that reads as a decimal number ("3.5") is quoted, so that withSemicolons leaves it as written.
  return /[",;\t\r\n]/.test(text) || DECIMAL.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return csvLine(header) + rows.map(csvLine).join('');
}

/**
 * The same CSV for Excel set to Finnish or Swedish, which reads a file it opens as `;`-separated
 * with decimal commas (a comma-separated file lands in one column, and `0.5` may become 1 May):
 * fields separated by `;`, and an unquoted decimal number written with a comma. Takes whole
 * records written by `csvLine` (a field holding `;` is quoted there already).
 */
export function withSemicolons(csv: string): string {
  let out = '';
  let field = '';
  let quoted = false;
  let inQuotes = false;
  const flush = (end: string) => {
    out += (!quoted && DECIMAL.test(field) ? field.replace('.', ',') : field) + end;
    field = '';
    quoted = false;
  };
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i] as string;
    if (inQuotes) {
      field += c;
      if (c === '"') {
        if (csv[i + 1] === '"') field += csv[++i];
        else inQuotes = false;
      }
    } else if (c === '"') {
      field += c;
      inQuotes = true;
      quoted = true;
    } else if (c === ',') flush(';');
    else if (c === '\r' && csv[i + 1] === '\n') {
      flush('\r\n');
      i++;
    } else field += c;
  }
  if (field || quoted) flush('');
  return out;
}
