/** One thing wrong with a record system's message, named the way that system names its fields. */
export interface FieldIssue {
  field: string;
  message: string;
  /** HL7 table 0357's code, where the ACK's default for its result would say less (202: unsupported processing id). */
  hl7Code?: string;
}

/**
 * A message an adapter can't turn into a canonical VisitEvent. `unsupported`: a kind of message
 * Kaiku does not take (HL7 `AR`, HTTP 422); `invalid`: a message it takes, with bad content (HL7
 * `AE`, HTTP 400).
 */
export class SourceMessageError extends Error {
  readonly kind: 'invalid' | 'unsupported';
  readonly issues: FieldIssue[];
  constructor(kind: 'invalid' | 'unsupported', issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'SourceMessageError';
    this.kind = kind;
    this.issues = issues;
  }
}

/** Maps canonical VisitEvent paths (zod issue paths, InvalidVisitError fields) to source field names. */
export function sourceField(path: string, map: Record<string, string>): string {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const hit = map[p];
    if (hit) return hit;
  }
  return path || '(message)';
}

/** A canonical `field: message` error retold with the source's field name. */
export function inSourceTerms(
  error: string,
  canonicalField: string | undefined,
  map: Record<string, string>,
): { field: string; message: string } {
  const field = sourceField(canonicalField ?? '', map);
  const message = canonicalField && error.startsWith(`${canonicalField}: `) ? error.slice(canonicalField.length + 2) : error;
  return { field, message };
}
