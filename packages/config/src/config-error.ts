import { meantKey } from '@kaiku/core';
import type { z } from 'zod';

/** A configuration that can't be used; the message lists every bad key. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(what: string, issues: string[], message = `${what} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`) {
    super(message);
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** Several at once (the environment and the config file): every mistake is named at the first start. */
  static all(errors: ConfigError[]): ConfigError {
    if (errors.length === 1) return errors[0] as ConfigError;
    return new ConfigError(
      '',
      errors.flatMap((e) => e.issues),
      errors.map((e) => e.message).join('\n'),
    );
  }
}

type Path = readonly PropertyKey[];

export interface IssueContext {
  /** The keys an object at `path` takes: a misspelt one is named with the one it was meant as. */
  knownKeys?: (path: Path) => readonly string[];
  /** Words after the message that say where, for a path whose key alone does not (`units.7`: which unit). */
  where?: (path: Path) => string | null;
}

/** One line per problem, each starting with the full key (`units.3.service: …`). */
export function describeIssues(error: z.ZodError, context: IssueContext = {}): string[] {
  const line = (path: Path, message: string) => {
    const where = context.where?.(path);
    return `${path.length > 0 ? path.join('.') : '(root)'}: ${message}${where ? ` (${where})` : ''}`;
  };
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // A misspelt key would otherwise be dropped silently and its default used.
      const known = context.knownKeys?.(issue.path) ?? [];
      return issue.keys.map((k) => {
        const meant = meantKey(k, known);
        return line([...issue.path, k], meant ? `unknown key: did you mean ${meant}?` : 'unknown key');
      });
    }
    return [line(issue.path, plainMessage(issue))];
  });
}

/** zod's own words for a missing value or a value of another type, said as what to write instead. */
function plainMessage(issue: z.core.$ZodIssue): string {
  // An empty variable where one is required (TWILIO_AUTH_TOKEN=).
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.input === '' && issue.message.startsWith('Too small')) {
    return `required: it is empty${Number(issue.minimum) > 1 ? ` (${issue.minimum} characters or more)` : ''}`;
  }
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input: expected')) return issue.message;
  const input = issue.input;
  if (input === undefined) return `required (${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`})`;
  if (issue.expected === 'int' && typeof input === 'number') return `a whole number, not ${input}`;
  // An environment variable read as a number (SHUTDOWN_DRAIN_MS=2s): what it was is not kept.
  if (issue.expected === 'number' && Number.isNaN(input)) return 'a number, in digits only';
  if (issue.expected === 'number' && typeof input === 'string') {
    return input.includes(',')
      ? `a number without quotes, with a point for decimals (0.5), not "${input}"`
      : `a number without quotes, not "${input}"`;
  }
  return issue.message;
}

/** A value as the person wrote it, for a message: text in quotes, a number or a structure as such. */
export function shownValue(input: unknown): string {
  if (typeof input === 'string') return `"${input.length > 40 ? `${input.slice(0, 39)}…` : input}"`;
  if (typeof input === 'number') return `the number ${input}`;
  const json = JSON.stringify(input) ?? String(input);
  return json.length > 40 ? `${json.slice(0, 39)}…` : json;
}
