import { HttpProblem } from '@kaiku/http';
import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';

/**
 * Checks `X-Twilio-Signature` over PUBLIC_BASE_URL + the request path and query and the form
 * parameters; throws 403 when it is missing or wrong.
 */
export function verifyTwilioSignature(request: FastifyRequest, authToken: string, publicBaseUrl: string): Record<string, string> {
  const signature = request.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || signature.length === 0) {
    refused(request, publicBaseUrl, 'missing');
    throw new HttpProblem(403, 'Forbidden', 'X-Twilio-Signature is missing');
  }
  const params = formParams(request.body);
  const url = `${publicBaseUrl.replace(/\/+$/, '')}${request.url}`;
  if (!twilio.validateRequest(authToken, signature, url, params)) {
    refused(request, publicBaseUrl, 'does not match');
    throw new HttpProblem(403, 'Forbidden', 'X-Twilio-Signature does not match');
  }
  return params;
}

/**
 * A refused webhook is logged (at warn, without its parameters): when every one is refused, Twilio's
 * URL and PUBLIC_BASE_URL (or the auth token) disagree, and the runbook sends ops to this line.
 */
function refused(request: FastifyRequest, publicBaseUrl: string, signature: 'missing' | 'does not match') {
  request.log?.warn({ signature, publicBaseUrl }, 'Twilio webhook refused: check PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN');
}

function formParams(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new HttpProblem(400, 'Bad request', 'expected a form-encoded body');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '');
  }
  return out;
}

// The answers are a few texts (each question and notice per language and unit): each document is
// built once by the SDK's builder and then reused. Bounded, in case texts ever vary more.
const TWIML_CACHE_MAX = 2000;
const twimlCache = new Map<string, string>();

export function twimlMessage(text: string | null): string {
  const key = text ?? '';
  const cached = twimlCache.get(key);
  if (cached !== undefined) return cached;
  const response = new twilio.twiml.MessagingResponse();
  if (text) response.message(text);
  const xml = response.toString();
  if (twimlCache.size >= TWIML_CACHE_MAX) twimlCache.clear();
  twimlCache.set(key, xml);
  return xml;
}
