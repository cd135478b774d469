import { TextDecoder } from 'node:util';
import { HttpProblem } from '@kaiku/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { duplicateKey } from './json-duplicate-key.ts';

const decoders = new Map<string, TextDecoder>();
/** A strict decoder for a charset label, or null when there is no such charset. */
function decoderFor(label: string): TextDecoder | null {
  const key = label.toLowerCase();
  let decoder = decoders.get(key);
  if (!decoder) {
    try {
      decoder = new TextDecoder(key, { fatal: true });
    } catch {
      return null;
    }
    decoders.set(key, decoder);
  }
  return decoder;
}

/**
 * A body parser for JSON endpoints that take it under any media type label (clients and curl label
 * JSON in many ways), except one that says XML: that is answered 415 with `hint`, not as broken JSON.
 * The body is decoded by its `charset` (UTF-8 when none is given, as JSON is): a charset there is
 * no such thing as is 415, bytes that are not text in it 400. Decoded loosely, two ids differing
 * only in "Ä" and "Ö" became one. A compressed body (`Content-Encoding: gzip`) is 415.
 */
export function jsonUnlessXml(scope: FastifyInstance, hint: string) {
  const json = scope.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => {
    const type = request.headers['content-type'] ?? '';
    if (/xml/i.test(type)) return done(new HttpProblem(415, 'Unsupported media type', hint));
    // Compressed bytes read as text would be "not valid UTF-8": say what is wrong instead.
    const encoding = String(request.headers['content-encoding'] ?? '').trim();
    if (encoding && encoding.toLowerCase() !== 'identity') {
      return done(
        new HttpProblem(
          415,
          'Unsupported media type',
          `Content-Encoding ${encoding.slice(0, 40)} is not taken: send the body uncompressed`,
        ),
      );
    }
    let label = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(type)?.[1] ?? 'utf-8';
    // "utf-16" with a big-endian byte order mark (Java's default) is UTF-16BE.
    if (/^utf-?16$/i.test(label) && body[0] === 0xfe && body[1] === 0xff) label = 'utf-16be';
    const decoder = decoderFor(label);
    if (!decoder) return done(new HttpProblem(415, 'Unsupported media type', `charset ${label.slice(0, 40)} is not known: send UTF-8`));
    let text: string;
    try {
      text = decoder.decode(body);
    } catch {
      return done(new HttpProblem(400, 'Bad request', `the body is not valid ${label.slice(0, 40)} text`));
    }
    // Fastify's own words name application/json whatever the label was (application/fhir+json, text/plain).
    return json(request, text, (error, parsed) => {
      if (!error) {
        const twice = duplicateKey(text);
        if (twice === null) return done(null, parsed);
        // (a key is named only when it reads as a field name: a body's key could be anything)
        const named = /^[A-Za-z_$][\w$-]{0,39}$/u.test(twice) ? `"${twice}"` : 'a key';
        return done(
          new HttpProblem(400, 'Bad request', `${named} appears twice in one object: which value is meant is not for Kaiku to guess`),
        );
      }
      const empty = (error as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
      done(new HttpProblem(400, 'Bad request', empty ? 'the body is empty' : 'the body is not valid JSON'));
    });
  };
}
