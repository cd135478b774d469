import { createHmac } from 'node:crypto';
import { safeEqual } from '@kaiku/http';

export const SESSION_COOKIE = 'kaiku_console';
const LIFETIME_S = 12 * 3600;

/**
 * The dashboard's session: `<expiry>.<HMAC(token, expiry)>` in an HttpOnly cookie. It never
 * carries the token itself, and rotating CONSOLE_TOKEN ends every session.
 */
export function createSession(token: string, now = Date.now()): { value: string; maxAge: number } {
  const expires = Math.floor(now / 1000) + LIFETIME_S;
  return { value: `${expires}.${sign(token, expires)}`, maxAge: LIFETIME_S };
}

export function isValidSession(token: string, value: string | undefined, now = Date.now()): boolean {
  if (!value) return false;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 <= now) return false;
  return safeEqual(m[2] as string, sign(token, expires));
}

function sign(token: string, expires: number): string {
  return createHmac('sha256', token).update(`kaiku-console-session:${expires}`).digest('base64url');
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
