import type { LoggerOptions } from 'pino';

/** Paths that may carry personal data or secrets; pino replaces them with [redacted]. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
  '*.phone',
  '*.phoneNumber',
  '*.to',
  '*.from',
  '*.From',
  '*.To',
  '*.body',
  '*.Body',
  '*.personalId',
  '*.hetu',
  '*.mobilePhones',
  '*.token',
  '*.authToken',
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
