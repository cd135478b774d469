import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Pool } from '@kaiku/db';
import { safeEqual } from '@kaiku/http';

export const SESSION_COOKIE = 'kaiku_console';
const LIFETIME_S = 12 * 3600;

/**
 * The dashboard's session: `<expiry>.<nonce>.<HMAC(token, expiry.nonce)>` in an HttpOnly cookie.
 * It never carries the token itself, rotating CONSOLE_TOKEN ends every session, and logging out
 * ends this one (its hash is kept in `console_sessions_ended` until it would have expired).
 */
export function createSession(token: string, now = Date.now()): { value: string; maxAge: number } {
  const expires = Math.floor(now / 1000) + LIFETIME_S;
  const nonce = randomBytes(12).toString('base64url');
  return { value: `${expires}.${nonce}.${sign(token, `${expires}.${nonce}`)}`, maxAge: LIFETIME_S };
}

/** The session's expiry if the cookie is one this token signed and it has not expired. */
function validExpiry(token: string, value: string | undefined, now: number): number | null {
  if (!value) return null;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  const expires = Number(m[1]);
  if (expires * 1000 <= now) return null;
  return safeEqual(m[3] as string, sign(token, `${m[1]}.${m[2]}`)) ? expires : null;
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Sessions checked against the token and the list of ended ones. */
export function createSessions(deps: { token: string; pool: Pool }) {
  return {
    async isSignedIn(value: string | undefined, now = Date.now()): Promise<boolean> {
      if (validExpiry(deps.token, value, now) === null) return false;
      const { rowCount } = await deps.pool.query('SELECT 1 FROM console_sessions_ended WHERE session_hash = $1', [hashOf(value as string)]);
      return rowCount === 0;
    },
    /** Ends a session before its expiry (and forgets the ended sessions that have expired since). */
    async end(value: string | undefined, now = Date.now()): Promise<void> {
      const expires = validExpiry(deps.token, value, now);
      if (expires === null) return;
      await deps.pool.query(
        `WITH gone AS (DELETE FROM console_sessions_ended WHERE expires_at <= now())
         INSERT INTO console_sessions_ended (session_hash, expires_at) VALUES ($1, to_timestamp($2)) ON CONFLICT DO NOTHING`,
        [hashOf(value as string), expires],
      );
    },
  };
}

function sign(token: string, session: string): string {
  return createHmac('sha256', token).update(`kaiku-console-session:${session}`).digest('base64url');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function sessionCookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}
