/** Reading values out of FHIR JSON that may be any shape: never throws, never trusts a type. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
export const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter(isObject) as T[]) : []);
export const stripOid = (v: string) => v.replace(/^urn:oid:/iu, '');
/** A value from the body in an error message: a string quoted and cut short, anything else by its type. */
export const shown = (v: unknown) =>
  typeof v === 'string' ? `"${v.slice(0, 40)}"` : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;

/** A period bound as an instant; a date alone (or a year-month) covers its whole day, so its end is the next day's start (UTC, a day's grace). */
function boundOf(value: unknown, end: boolean): number {
  if (typeof value !== 'string') return Number.NaN;
  const ms = Date.parse(value);
  return end && /^\d{4}(-\d{2}(-\d{2})?)?$/u.test(value) ? ms + 86_400_000 : ms;
}

/** Whether `now` is inside a FHIR period: not ended (an end date counts whole), not starting later. */
export function inPeriod(period: { start?: string; end?: string } | undefined, now: Date): boolean {
  if (period?.end && boundOf(period.end, true) <= now.getTime()) return false;
  return !(period?.start && boundOf(period.start, false) > now.getTime());
}
