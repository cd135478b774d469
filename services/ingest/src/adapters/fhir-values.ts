/** Reading values out of FHIR JSON that may be any shape: never throws, never trusts a type. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
export const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter(isObject) as T[]) : []);
export const stripOid = (v: string) => v.replace(/^urn:oid:/, '');
/** A value from the body in an error message: a string quoted and cut short, anything else by its type. */
export const shown = (v: unknown) =>
  typeof v === 'string' ? `"${v.slice(0, 40)}"` : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
