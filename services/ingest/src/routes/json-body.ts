import { HttpProblem } from '@kaiku/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A body parser for JSON endpoints that take it under any media type label (clients and curl label
 * JSON in many ways), except one that says XML: that is answered 415 with `hint`, not as broken JSON.
 */
export function jsonUnlessXml(scope: FastifyInstance, hint: string) {
  const json = scope.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: string, done: (error: Error | null, body?: unknown) => void) => {
    if (/xml/i.test(request.headers['content-type'] ?? '')) return done(new HttpProblem(415, 'Unsupported media type', hint));
    return json(request, body, done);
  };
}
