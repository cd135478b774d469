import { HttpProblem, sendProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { LIFECARE_SOURCE } from '../adapters/lifecare-hl7.adapter.ts';
import type { LifecareHl7Handler } from '../adapters/lifecare-hl7.handler.ts';
import { requireSource } from '../auth.ts';

/** Media types an HL7 v2 ER7 body may come as; read as bytes and decoded by MSH-18. */
export const HL7_MEDIA_TYPES = [
  'x-application/hl7-v2+er7',
  'application/hl7-v2',
  'application/hl7-v2+er7',
  'text/plain',
  'application/octet-stream',
];

/**
 * `POST /v1/sources/lifecare/hl7`: one ER7 message; the answer is its HL7 ACK (200), written after
 * the commit. 503 with an `AR` ACK when the database is down (send again); a body that is not HL7
 * at all gets 400 problem+json.
 */
export function registerLifecareHl7Route(app: FastifyInstance, deps: { handleHl7: LifecareHl7Handler; tokens: Map<string, string> }) {
  app.register(async (scope) => {
    scope.addContentTypeParser(HL7_MEDIA_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (request) => requireSource(request, deps.tokens, LIFECARE_SOURCE));
    scope.post('/v1/sources/lifecare/hl7', async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) {
        throw new HttpProblem(415, 'Unsupported media type', `send the ER7 text as ${HL7_MEDIA_TYPES[0]} (or text/plain)`);
      }
      if (body.length === 0) throw new HttpProblem(400, 'Invalid HL7 message', 'the body is empty');
      const answer = await deps.handleHl7(body);
      if (!answer.readable) {
        return sendProblem(reply, 400, 'Invalid HL7 message', 'the body is not an HL7 v2 message (it must start with an MSH segment)');
      }
      return reply
        .code(answer.result === 'unavailable' ? 503 : 200)
        .header('x-hl7-ack-code', answer.code)
        .type(`x-application/hl7-v2+er7; charset=${answer.charset}`)
        .send(answer.ack);
    });
  });
}
