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

/** One line per problem, each starting with the full key (`units.3.service: …`). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // A misspelt key would otherwise be dropped silently and its default used.
      return issue.keys.map((k) => `${[...issue.path, k].join('.')}: unknown key`);
    }
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return [`${key}: ${issue.message}`];
  });
}
