/** pino JSON logger; secrets are redacted wherever they could appear in a log object. */
import { pino, type DestinationStream, type Logger } from 'pino';

const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.appSecret',
  '*.apiKey',
  '*.secret',
  '*.paySign',
  '*.sign',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.code',
  '*.sessionKeys',
  '*.adminToken',
  '*.token',
  'paySign',
  'accessToken',
  'refreshToken',
];

/**
 * `*.code` (an OAuth code could hide there) also blanks `err.code`; system and database error
 * codes (ECONNREFUSED, 23505, 57P01) are kept under `errorCode` so outages stay diagnosable.
 */
const DIAGNOSTIC_CODE = /^(E[A-Z0-9_]{2,30}|[0-9A-Z]{5})$/;

function serializeError(err: Error & { code?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = pino.stdSerializers.err(err);
  if (typeof err.code === 'string' && DIAGNOSTIC_CODE.test(err.code)) out.errorCode = err.code;
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'bff' },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
