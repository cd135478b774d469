import { HttpProblem } from '@kaiku/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body parser for JSON endpoints that take it under any media type label (clients and curl label
 * JSON in many ways), except one that says XML: that is answered 415 with `hint`, not as broken JSON.
 * JSON is UTF-8 (RFC 8259): a label naming another charset is 415, and bytes that are not UTF-8
 * are 400. Decoded loosely, two ids differing only in "Ä" and "Ö" would become one.
 */
export function jsonUnlessXml(scope: FastifyInstance, hint: string) {
  const json = scope.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => {
    const type = request.headers['content-type'] ?? '';
    if (/xml/i.test(type)) return done(new HttpProblem(415, 'Unsupported media type', hint));
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) {
      return done(new HttpProblem(415, 'Unsupported media type', `JSON is taken in UTF-8 only, not ${charset.slice(0, 40)}`));
    }
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      return done(new HttpProblem(400, 'Bad request', 'the body is not valid UTF-8 (JSON is taken in UTF-8 only)'));
    }
    return json(request, text, done);
  };
}
