/**
 * How a failed Twilio call is handled. `permanent`: never retried (invalid number, unsubscribed…).
 * `transient`: retry with backoff (`mayHaveCreated`: a 5xx, the retry first looks for the message;
 * `account`: Twilio refused our credentials, account or sender settings, which only the operators can mend).
 * `ambiguous`: it may have gone out; never re-send, settle from the status callback.
 */
export type SendFailure =
  | { kind: 'permanent'; code: number | null; optOut: boolean }
  | { kind: 'transient'; code: number | null; rateLimited: boolean; mayHaveCreated: boolean; account?: true }
  | { kind: 'ambiguous'; code: number | null };

/** Twilio error codes about the patient's number or this text, which retrying can't fix. */
const PERMANENT_CODES = new Set([
  21211, 21214, 21217, 21401, 21407, 21408, 21421, 21610, 21612, 21614, 21617, 21635, 30003, 30004, 30005, 30006, 30007, 30008,
]);
/**
 * Nothing the patient's number did: our credentials or account (20003 authentication failed, 20005
 * account not active) or our sender settings (21212 invalid From, 21606 From not able to send
 * here, 21660 From not of this account, 21703/21704 the Messaging Service has no number, 21608/21219
 * a trial account's unverified To). Every text fails alike until the operators mend it, so each is
 * held and tried again (a sender probe: a wrong TWILIO_FROM failed every due survey for good).
 */
const ACCOUNT_CODES = new Set([20003, 20005, 21212, 21219, 21606, 21608, 21660, 21703, 21704]);
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * What tells failures apart in the log, with nothing of the text or the number (Twilio's own
 * message can quote the To number, so it is never logged): Twilio's HTTP status, else the
 * connection's error code (ECONNREFUSED, ETIMEDOUT: no answer within the deadline), else the
 * error's class.
 */
export function sendErrorCause(error: unknown): { status?: number; cause: string } {
  const { status, netCode, name } = readSendError(error);
  if (status !== null) return { status, cause: `HTTP ${status}` };
  return { cause: netCode ?? name ?? 'unknown' };
}

/** What a failed call says of itself: Twilio's HTTP status and error code, or the connection's error code. */
function readSendError(error: unknown) {
  const e = error as { status?: unknown; code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  return {
    status: typeof e?.status === 'number' ? e.status : null,
    code: typeof e?.code === 'number' ? e.code : null,
    netCode: typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined,
    name: typeof e?.name === 'string' ? e.name : undefined,
  };
}

/**
 * The sealed phone number does not open with this process' KAIKU_ENCRYPTION_KEY (ingest sealed it
 * with another): nothing was sent. Held and tried again like a refusal of our credentials, since
 * only the operators can mend it; never `unknown`.
 */
export class PhoneKeyError extends Error {
  readonly code = 'KAIKU_ENCRYPTION_KEY';
  /** An earlier attempt's 5xx may have created the text: the retry still looks first. */
  readonly earlierMayHaveGone: boolean;
  constructor(earlierMayHaveGone = false) {
    super('the phone number does not open with KAIKU_ENCRYPTION_KEY');
    this.name = 'PhoneKeyError';
    this.earlierMayHaveGone = earlierMayHaveGone;
  }
}

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof PhoneKeyError)
    return { kind: 'transient', code: null, rateLimited: false, mayHaveCreated: error.earlierMayHaveGone, account: true };
  const { status, code, netCode } = readSendError(error);
  if (code === 21610) return { kind: 'permanent', code, optOut: true };
  if (code !== null && PERMANENT_CODES.has(code)) return { kind: 'permanent', code, optOut: false };
  if (status === 401 || (code !== null && ACCOUNT_CODES.has(code)))
    return { kind: 'transient', code: code ?? 20003, rateLimited: false, mayHaveCreated: false, account: true };
  if (status === 429 || code === 20429) return { kind: 'transient', code: code ?? 20429, rateLimited: true, mayHaveCreated: false };
  // Twilio answered 5xx: it may still have created the message (the retry looks first).
  if (status !== null && status >= 500) return { kind: 'transient', code, rateLimited: false, mayHaveCreated: true };
  if (status !== null && status >= 400) return { kind: 'permanent', code: code ?? status, optOut: false };
  if (netCode && CONNECT_ERRORS.has(netCode)) return { kind: 'transient', code: null, rateLimited: false, mayHaveCreated: false };
  return { kind: 'ambiguous', code: null };
}
