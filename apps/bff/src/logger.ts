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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'bff' },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
