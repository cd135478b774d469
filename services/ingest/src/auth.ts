import { bearerToken, HttpProblem } from '@kaiku/http';
import type { FastifyRequest } from 'fastify';

/** The source a request's bearer token belongs to; 401 without a known token. */
export function authenticatedSource(request: FastifyRequest, tokens: Map<string, string>): string {
  const token = bearerToken(request);
  if (!token) throw new HttpProblem(401, 'Unauthorized', 'Authorization: Bearer <token> is required');
  const source = tokens.get(token);
  if (!source) throw new HttpProblem(401, 'Unauthorized', 'unknown token');
  return source;
}

export function requireSource(request: FastifyRequest, tokens: Map<string, string>, source: string): void {
  const actual = authenticatedSource(request, tokens);
  if (actual !== source) throw new HttpProblem(403, 'Forbidden', `this token is for source "${actual}", not "${source}"`);
}
