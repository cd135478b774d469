import { smsSegments } from '@kaiku/core';
import { kaikuMetrics, zodProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { createInboundHandler } from '../handle-inbound.ts';
import { twimlMessage, verifyTwilioSignature } from '../twilio-webhook.ts';

export interface InboundRouteDeps {
  authToken: string;
  publicBaseUrl: string;
  handleInbound: ReturnType<typeof createInboundHandler>;
}

const inboundSchema = z.object({
  MessageSid: z.string().min(1).max(64),
  From: z.string().min(1).max(64),
  // Twilio delivers at most 1,600 characters; more is cut by the handler, never refused.
  Body: z.string().max(20_000).default(''),
  OptOutType: z.string().max(32).optional(),
});

/**
 * Twilio's inbound-SMS webhook, answered with TwiML. The whole step is one short Postgres
 * transaction; nothing else (no network calls, no queues) happens before the answer.
 */
export function registerInboundRoute(app: FastifyInstance, deps: InboundRouteDeps) {
  app.post('/v1/twilio/inbound', async (request, reply) => {
    const params = verifyTwilioSignature(request, deps.authToken, deps.publicBaseUrl);
    const parsed = inboundSchema.safeParse(params);
    if (!parsed.success) {
      throw zodProblem(parsed.error, 'Bad request');
    }
    const result = await deps.handleInbound({
      messageSid: parsed.data.MessageSid,
      from: parsed.data.From,
      body: parsed.data.Body,
      optOutType: parsed.data.OptOutType,
    });
    kaikuMetrics.replies.inc({ outcome: result.outcome });
    if (result.outcome === 'opt-out') kaikuMetrics.optOuts.inc({ method: 'keyword' });
    if (result.reply) kaikuMetrics.smsSegments.inc({ kind: 'reply' }, smsSegments(result.reply));
    // Ids only (a support desk finds the reply by the invitation, or Twilio's MessageSid); never the text.
    request.log.info({ outcome: result.outcome, invitationId: result.invitationId, messageSid: parsed.data.MessageSid }, 'inbound sms');
    return reply.type('text/xml; charset=utf-8').send(twimlMessage(result.reply));
  });
}
