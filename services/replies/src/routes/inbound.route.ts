import { HttpProblem } from '@kaiku/http';
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
  Body: z.string().max(10_000).default(''),
  OptOutType: z.string().max(32).optional(),
});

/** Twilio's inbound-SMS webhook, answered with TwiML. */
export function registerInboundRoute(app: FastifyInstance, deps: InboundRouteDeps) {
  app.post('/v1/twilio/inbound', async (request, reply) => {
    const params = verifyTwilioSignature(request, deps.authToken, deps.publicBaseUrl);
    const parsed = inboundSchema.safeParse(params);
    if (!parsed.success) {
      throw new HttpProblem(400, 'Bad request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const result = await deps.handleInbound({
      messageSid: parsed.data.MessageSid,
      from: parsed.data.From,
      body: parsed.data.Body,
      optOutType: parsed.data.OptOutType,
    });
    request.log.info({ outcome: result.outcome }, 'inbound sms');
    return reply.type('text/xml').send(twimlMessage(result.reply));
  });
}
