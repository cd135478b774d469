import type { LoggerOptions } from 'pino';

/** Keys that may carry personal data or secrets, wherever they sit in a log object. */
export const REDACT_KEYS = [
  'phone',
  'phoneNumber',
  'phones',
  'mobilePhones',
  'to',
  'from',
  'From',
  'To',
  'body',
  'Body',
  'text',
  'comment',
  'personalId',
  'hetu',
  'patient',
  'birthDate',
  'token',
  'authToken',
  'password',
];

/** pino paths: each key at the top level and up to two levels down; plus secret headers. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  ...REDACT_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export function loggerOptions(level: string, service: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Never log query strings or bodies: only method and path.
      req: (req: { method?: string; url?: string; id?: string }) => ({ id: req.id, method: req.method, path: req.url?.split('?')[0] }),
    },
  };
}
