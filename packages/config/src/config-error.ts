import type { z } from 'zod';

/** A configuration that can't be used; the message lists every bad key. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(what: string, issues: string[]) {
    super(`${what} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${key}: ${issue.message}`;
  });
}
