import formbody from '@fastify/formbody';
import { smsSegments } from '@kaiku/core';
import { kaikuFastifyOptions, registerErrorHandler, registerHealthRoutes, registerMetrics, safeEqual, sendProblem } from '@kaiku/http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { registerFaultRoutes } from './faults.route.ts';
import { createFaultStore, type FaultRule, type FaultStore } from './faults.ts';
import { createMessageStore, type MessageStore, newSid, type SimMessage } from './message-store.ts';
import { createSignedPoster } from './signed-poster.ts';
import { messageResource, twilioError } from './twilio-shape.ts';

export interface SimDeps {
  accountSid: string;
  authToken: string;
  publicBaseUrl: string;
  repliesUrl?: string | undefined;
  number: string;
  callbackDelayMs: number;
  logger: Logger;
  store?: MessageStore;
  /** Status callbacks (and inbound webhooks) in flight at once; more wait their turn (default 64). */
  maxCallbacksInFlight?: number;
  /** Fault rules active from the start (more via `POST /sim/faults`). */
  faults?: FaultRule[];
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A Twilio stand-in for tests and demos: the Messages API (as the real SDK calls it), signed status
 * callbacks, and `POST /sim/reply` to play a patient answering.
 */
export function buildSimApp(deps: SimDeps): FastifyInstance {
  const app = Fastify(kaikuFastifyOptions(deps.logger));
  const store = deps.store ?? createMessageStore();
  const faults: FaultStore = createFaultStore(deps.faults);
  const publicBase = deps.publicBaseUrl.replace(/\/+$/, '');
  const deliverBase = (deps.repliesUrl ?? deps.publicBaseUrl).replace(/\/+$/, '');
  const pending = new Set<Promise<unknown>>();
  const poster = createSignedPoster({ authToken: deps.authToken, maxInFlight: deps.maxCallbacksInFlight ?? 64, timeoutMs: 10_000 });
  registerErrorHandler(app);
  app.register(formbody);
  registerMetrics(app);
  registerHealthRoutes(app, {});
  app.addHook('preClose', async () => {
    faults.release();
  });
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
    await poster.close();
  });
  registerFaultRoutes(app, faults);

  function track<T>(p: Promise<T>) {
    pending.add(p);
    p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  }

  /**
   * sent → delivered (or → undelivered with its ErrorCode), each a signed callback. Like Twilio, no
   * callback for the initial `queued`: the create response already said it.
   */
  async function runCallbacks(m: SimMessage, final: { status: 'delivered' | 'undelivered'; errorCode?: number }) {
    for (const status of ['sent', final.status]) {
      await new Promise((r) => setTimeout(r, deps.callbackDelayMs));
      if (!m.statusCallback) return;
      m.status = status;
      if (status === 'undelivered' && final.errorCode) m.errorCode = final.errorCode;
      const params: Record<string, string> = {
        AccountSid: deps.accountSid,
        ApiVersion: '2010-04-01',
        From: m.from,
        To: m.to,
        MessageSid: m.sid,
        SmsSid: m.sid,
        MessageStatus: status,
        SmsStatus: status,
      };
      if (status === 'undelivered' && final.errorCode) params.ErrorCode = String(final.errorCode);
      try {
        await poster.post(m.statusCallback, m.statusCallback, params);
      } catch (error) {
        deps.logger.warn({ sid: m.sid, status, err: { message: (error as Error).message } }, 'status callback failed');
      }
    }
  }

  function basicAuthOk(request: FastifyRequest): boolean {
    const header = request.headers.authorization ?? '';
    const m = /^Basic\s+(\S+)$/i.exec(header);
    if (!m) return false;
    const [user, ...rest] = Buffer.from(m[1] as string, 'base64')
      .toString('utf8')
      .split(':');
    return safeEqual(user ?? '', deps.accountSid) && safeEqual(rest.join(':'), deps.authToken);
  }

  const twilioFail = (reply: FastifyReply, status: number, code: number, message: string) =>
    reply.code(status).send(twilioError(status, code, message));

  app.post<{ Params: { accountSid: string }; Body: Record<string, string> }>(
    '/2010-04-01/Accounts/:accountSid/Messages.json',
    async (request, reply) => {
      if (!basicAuthOk(request) || request.params.accountSid !== deps.accountSid) {
        return twilioFail(reply, 401, 20003, 'Authenticate');
      }
      const body = request.body ?? {};
      if (!body.To || !E164.test(body.To))
        return twilioFail(reply, 400, 21211, `The 'To' number ${body.To ?? ''} is not a valid phone number.`);
      if (!body.Body) return twilioFail(reply, 400, 21602, 'Message body is required.');
      if (!body.From && !body.MessagingServiceSid)
        return twilioFail(reply, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
      const fault = faults.take(body.To);
      if (fault?.kind === 'error')
        return twilioFail(reply, fault.status ?? 400, fault.code ?? 21211, `Simulated Twilio error ${fault.code}`);
      if (fault?.kind === 'rate-limit') return twilioFail(reply, 429, 20429, 'Too Many Requests');
      if (fault?.kind === 'server-error' && !fault.create) return twilioFail(reply, fault.status ?? 500, 20500, 'Internal Server Error');
      if (fault?.kind === 'drop' && fault.create === false) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      const message = store.add({
        sid: newSid(),
        direction: 'outbound-api',
        from: body.From ?? deps.number,
        to: body.To,
        body: body.Body,
        status: 'accepted',
        numSegments: smsSegments(body.Body),
        statusCallback: body.StatusCallback ?? null,
        messagingServiceSid: body.MessagingServiceSid ?? null,
        validityPeriod: body.ValidityPeriod ? Number(body.ValidityPeriod) : null,
        dateCreated: new Date(),
      });
      message.status = 'queued';
      const final =
        fault?.kind === 'undelivered'
          ? ({ status: 'undelivered', errorCode: fault.code ?? 30003 } as const)
          : ({ status: 'delivered' } as const);
      // `callbacks: false` on any fault that created the message: its status callbacks were lost.
      const callBack = () => {
        if (fault?.callbacks !== false) track(runCallbacks(message, final));
      };
      if (fault?.kind === 'drop') {
        // Twilio took the message, but the answer never reached the caller.
        reply.hijack();
        request.raw.socket.destroy();
        callBack();
        return;
      }
      if (fault?.kind === 'server-error') {
        // Twilio created the message, but answered 500 all the same.
        callBack();
        return twilioFail(reply, fault.status ?? 500, 20500, 'Internal Server Error');
      }
      if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.kind === 'hold') await faults.hold();
      const resource = messageResource(deps.accountSid, message);
      callBack();
      return reply.code(201).send(resource);
    },
  );

  // Twilio's message list (newest first), filtered by To/From as the SDK's `messages.list` asks.
  app.get<{ Params: { accountSid: string }; Querystring: { To?: string; From?: string; PageSize?: string } }>(
    '/2010-04-01/Accounts/:accountSid/Messages.json',
    async (request, reply) => {
      if (!basicAuthOk(request) || request.params.accountSid !== deps.accountSid) {
        return twilioFail(reply, 401, 20003, 'Authenticate');
      }
      const { To, From } = request.query;
      const fault = faults.lookupFault(To ?? '');
      if (fault?.kind === 'error')
        return twilioFail(reply, fault.status ?? 400, fault.code ?? 21211, `Simulated Twilio error ${fault.code}`);
      if (fault) return twilioFail(reply, fault.status ?? 500, 20500, 'Internal Server Error');
      const pageSize = Math.min(1000, Math.max(1, Number(request.query.PageSize ?? 50) || 50));
      const found = store
        .list({ to: To })
        .filter((m) => m.direction !== 'inbound' && (!From || m.from === From))
        .reverse()
        .slice(0, pageSize);
      const uri = `/2010-04-01/Accounts/${deps.accountSid}/Messages.json?PageSize=${pageSize}&Page=0`;
      return {
        messages: found.map((m) => messageResource(deps.accountSid, m)),
        end: Math.max(0, found.length - 1),
        first_page_uri: uri,
        next_page_uri: null,
        page: 0,
        page_size: pageSize,
        previous_page_uri: null,
        start: 0,
        uri,
      };
    },
  );

  // One message by its sid, as the SDK's `messages(sid).fetch()` asks: its status as the callbacks left it.
  app.get<{ Params: { accountSid: string; sid: string } }>(
    '/2010-04-01/Accounts/:accountSid/Messages/:sid.json',
    async (request, reply) => {
      if (!basicAuthOk(request) || request.params.accountSid !== deps.accountSid) return twilioFail(reply, 401, 20003, 'Authenticate');
      const message = store.get(request.params.sid);
      if (!message) return twilioFail(reply, 404, 20404, `The requested resource ${request.url} was not found`);
      return messageResource(deps.accountSid, message);
    },
  );

  app.get<{ Querystring: { to?: string; direction?: string } }>('/sim/messages', async (request) => ({
    messages: store.list(request.query).map((m) => ({ ...m, dateCreated: m.dateCreated.toISOString() })),
  }));

  app.delete('/sim/messages', async (_request, reply) => {
    store.clear();
    return reply.code(204).send();
  });

  const replySchema = z.object({ from: z.string().regex(E164, 'an E.164 number'), to: z.string().optional(), body: z.string().max(1600) });

  app.post('/sim/reply', async (request, reply) => {
    const parsed = replySchema.safeParse(request.body);
    if (!parsed.success)
      return sendProblem(reply, 400, 'Invalid reply', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { from, body } = parsed.data;
    const to = parsed.data.to ?? deps.number;
    const sid = newSid();
    store.add({
      sid,
      direction: 'inbound',
      from,
      to,
      body,
      status: 'received',
      numSegments: smsSegments(body),
      statusCallback: null,
      messagingServiceSid: null,
      validityPeriod: null,
      dateCreated: new Date(),
    });
    const params = {
      ToCountry: 'FI',
      SmsMessageSid: sid,
      NumMedia: '0',
      SmsSid: sid,
      SmsStatus: 'received',
      Body: body,
      To: to,
      NumSegments: String(smsSegments(body)),
      MessageSid: sid,
      AccountSid: deps.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    };
    const path = '/v1/twilio/inbound';
    let response: Awaited<ReturnType<typeof poster.post>>;
    try {
      response = await poster.post(`${publicBase}${path}`, `${deliverBase}${path}`, params);
    } catch (error) {
      // The replies service not reachable (restarting, wrong SMS_SIM_REPLIES_URL): said, not a bare 500.
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      return sendProblem(
        reply,
        502,
        'Replies service not reachable',
        `the webhook to ${deliverBase}${path} failed (${cause}); the reply was not delivered`,
      );
    }
    if (response.status >= 400) {
      // Refused (a signature made with another auth token, a URL that is not the replies service): said, not a 200.
      return sendProblem(
        reply,
        502,
        'Replies service refused the reply',
        `the webhook to ${deliverBase}${path} was answered HTTP ${response.status}; the reply was not taken (check TWILIO_AUTH_TOKEN and SMS_SIM_REPLIES_URL)`,
      );
    }
    const twiml = response.body;
    const replies = [...twiml.matchAll(/<Message[^>]*>([\s\S]*?)<\/Message>/g)].map((m) => unescapeXml(m[1] as string));
    for (const text of replies) {
      store.add({
        sid: newSid(),
        direction: 'outbound-reply',
        from: to,
        to: from,
        body: text,
        status: 'delivered',
        numSegments: smsSegments(text),
        statusCallback: null,
        messagingServiceSid: null,
        validityPeriod: null,
        dateCreated: new Date(),
      });
    }
    return { status: response.status, messageSid: sid, replies };
  });

  return app;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
