import { countDeliveryStatus, HttpProblem, zodProblem } from '@kaiku/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { createDeliveryStatusHandler } from '../delivery-status.ts';
import { verifyTwilioSignature } from '../twilio-webhook.ts';

export interface StatusRouteDeps {
  authToken: string;
  publicBaseUrl: string;
  applyDeliveryStatus: ReturnType<typeof createDeliveryStatusHandler>;
}

const statusSchema = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.string().min(1).max(32),
  ErrorCode: z.coerce.number().int().optional(),
});
const invitationIdSchema = z.uuid();

/** Twilio's status callback for one invitation's message. */
export function registerStatusRoute(app: FastifyInstance, deps: StatusRouteDeps) {
  app.post<{ Params: { invitationId: string } }>('/v1/twilio/status/:invitationId', async (request, reply) => {
    const params = verifyTwilioSignature(request, deps.authToken, deps.publicBaseUrl);
    const invitationId = invitationIdSchema.safeParse(request.params.invitationId);
    if (!invitationId.success) throw new HttpProblem(404, 'Not found', 'no such invitation');
    const parsed = statusSchema.safeParse(params);
    if (!parsed.success) {
      throw zodProblem(parsed.error, 'Bad request');
    }
    const result = await deps.applyDeliveryStatus({
      invitationId: invitationId.data,
      messageSid: parsed.data.MessageSid,
      messageStatus: parsed.data.MessageStatus,
      errorCode: parsed.data.ErrorCode ?? null,
    });
    // Only Twilio's own words are logged: anything else is text we have not read (`other`; counted so too).
    const status = /^[a-z-]{1,16}$/.test(parsed.data.MessageStatus) ? parsed.data.MessageStatus : 'other';
    if (result === 'applied') countDeliveryStatus(parsed.data.MessageStatus, parsed.data.ErrorCode);
    const errorCode = parsed.data.ErrorCode && parsed.data.ErrorCode > 0 ? parsed.data.ErrorCode : undefined;
    request.log.info({ invitationId: invitationId.data, messageSid: parsed.data.MessageSid, status, errorCode, result }, 'status callback');
    return reply.code(204).send();
  });
}
