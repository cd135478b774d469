import { HttpProblem, RETRY_AFTER_SECONDS, sendProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { LIFECARE_SOURCE } from '../adapters/lifecare-hl7.adapter.ts';
import type { LifecareHl7Handler } from '../adapters/lifecare-hl7.handler.ts';
import { requireSource } from '../auth.ts';

/**
 * `POST /v1/sources/lifecare/hl7`: one ER7 message; the answer is its HL7 ACK (200), written after
 * the commit. 503 with an `AR` ACK when the database is down (send again); a body that is not HL7
 * at all gets 400 problem+json.
 */
export function registerLifecareHl7Route(app: FastifyInstance, deps: { handleHl7: LifecareHl7Handler; tokens: Map<string, string> }) {
  app.register(async (scope) => {
    // ER7 is bytes whatever the label says (curl's --data-binary sends a form type): read them raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.addHook('onRequest', async (request) => requireSource(request, deps.tokens, LIFECARE_SOURCE));
    scope.post('/v1/sources/lifecare/hl7', async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpProblem(400, 'Invalid HL7 message', 'the body is empty');
      const answer = await deps.handleHl7(body);
      if (!answer.readable) {
        return sendProblem(reply, 400, 'Invalid HL7 message', answer.unreadableBecause ?? 'the body is not an HL7 v2 message');
      }
      if (answer.result === 'unavailable') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply
        .code(answer.result === 'unavailable' ? 503 : 200)
        .header('x-hl7-ack-code', answer.code)
        .type(`x-application/hl7-v2+er7; charset=${answer.charset}`)
        .send(answer.ack);
    });
  });
}
