/**
 * How a failed Twilio call is handled. `permanent`: never retried (invalid number, unsubscribed…).
 * `transient`: retry with backoff (`mayHaveCreated`: a 5xx, the retry first looks for the message;
 * `account`: Twilio refused our credentials or account, which only the operators can mend).
 * `ambiguous`: it may have gone out; never re-send, settle from the status callback.
 */
export type SendFailure =
  | { kind: 'permanent'; code: number | null; optOut: boolean }
  | { kind: 'transient'; code: number | null; rateLimited: boolean; mayHaveCreated: boolean; account?: true }
  | { kind: 'ambiguous'; code: number | null };

/** Twilio error codes that retrying can't fix. */
const PERMANENT_CODES = new Set([
  21211, 21212, 21214, 21217, 21219, 21401, 21407, 21408, 21421, 21606, 21608, 21610, 21612, 21614, 21617, 21635, 21660, 21703, 21704,
  30003, 30004, 30005, 30006, 30007, 30008,
]);
/** 20003: authentication failed; 20005: the account is not active. Nothing the patient's number did. */
const ACCOUNT_CODES = new Set([20003, 20005]);
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySendError(error: unknown): SendFailure {
  const e = error as { status?: number; code?: number | string; cause?: { code?: string } };
  const status = typeof e.status === 'number' ? e.status : null;
  const code = typeof e.code === 'number' ? e.code : null;
  if (code === 21610) return { kind: 'permanent', code, optOut: true };
  if (code !== null && PERMANENT_CODES.has(code)) return { kind: 'permanent', code, optOut: false };
  if (status === 401 || (code !== null && ACCOUNT_CODES.has(code)))
    return { kind: 'transient', code: code ?? 20003, rateLimited: false, mayHaveCreated: false, account: true };
  if (status === 429 || code === 20429) return { kind: 'transient', code: code ?? 20429, rateLimited: true, mayHaveCreated: false };
  // Twilio answered 5xx: it may still have created the message (the retry looks first).
  if (status !== null && status >= 500) return { kind: 'transient', code, rateLimited: false, mayHaveCreated: true };
  if (status !== null && status >= 400) return { kind: 'permanent', code: code ?? status, optOut: false };
  const netCode = typeof e.code === 'string' ? e.code : e.cause?.code;
  if (netCode && CONNECT_ERRORS.has(netCode)) return { kind: 'transient', code: null, rateLimited: false, mayHaveCreated: false };
  return { kind: 'ambiguous', code: null };
}
