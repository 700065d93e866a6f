/**
 * pino logger: JSON lines, or in development one readable line per request (pino-pretty);
 * secrets are redacted wherever they could appear in a log object, before either format.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty, { type PrettyOptions } from 'pino-pretty';

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
const DIAGNOSTIC_CODE = /^(E[A-Z0-9_]{2,30}|HPE_[A-Z_]{2,40}|[0-9A-Z]{5})$/;

/**
 * Bytes are never logged: Node's HTTP parse errors carry the whole raw request as `rawPacket`
 * (Authorization, Cookie…), and redaction matches field paths, so it cannot see inside bytes.
 */
const RAW_BYTES_FIELDS = new Set(['rawPacket']);
const MAX_SCRUB_DEPTH = 8;

function isBytes(value: unknown): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer;
}

/** `value` with every bytes-like field replaced; copies, so the logged error itself is left alone. */
function withoutBytes(value: unknown, errProto: object, depth = 0): unknown {
  if (isBytes(value)) return `[${value.byteLength} bytes omitted]`;
  if (value === null || typeof value !== 'object' || depth >= MAX_SCRUB_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => withoutBytes(v, errProto, depth + 1));
  // Only plain objects and pino's serialized errors (a `cause`, `aggregateErrors`): class
  // instances such as Date or URL serialize themselves and hold no raw bytes of a request.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && proto !== errProto) return value;
  const copy: Record<string, unknown> = Object.create(proto as object | null);
  for (const [key, field] of Object.entries(value)) {
    copy[key] = RAW_BYTES_FIELDS.has(key) ? '[omitted]' : withoutBytes(field, errProto, depth + 1);
  }
  return copy;
}

function serializeError(err: Error & { code?: unknown }): Record<string, unknown> {
  const serialized: Record<string, unknown> = pino.stdSerializers.err(err);
  const out = withoutBytes(serialized, Object.getPrototypeOf(serialized) as object) as Record<string, unknown>;
  if (typeof err.code === 'string' && DIAGNOSTIC_CODE.test(err.code)) out.errorCode = err.code;
  return out;
}

/** Fields the pretty request line already shows, or that say nothing on a developer's terminal. */
const PRETTY_HIDDEN = 'pid,hostname,service,method,path,status,ms,requestId';

/** `GET /api/orders 200 12 ms 3f2a…` for requestContext's access line; other messages keep their text. */
const prettyMessage: NonNullable<Exclude<PrettyOptions['messageFormat'], string | false>> = (
  log,
  messageKey,
  _level,
  { colors },
) => {
  const requestId = typeof log.requestId === 'string' ? colors.gray(` ${log.requestId}`) : '';
  if (log[messageKey] === 'request' && typeof log.method === 'string') {
    const status = Number(log.status);
    const paint = status >= 500 ? colors.red : status >= 400 ? colors.yellow : colors.green;
    return `${log.method} ${String(log.path)} ${paint(String(status))} ${String(log.ms)} ms${requestId}`;
  }
  return `${String(log[messageKey] ?? '')}${requestId}`;
};

export interface LoggerOptions {
  /** Development: readable lines instead of JSON (errors with their stack on the lines below). */
  pretty?: boolean;
  /** Pretty only; default: when the terminal supports colour (FORCE_COLOR / NO_COLOR respected). */
  colorize?: boolean;
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  { pretty: readable = false, colorize }: LoggerOptions = {},
): Logger {
  const options = {
    level,
    base: { service: 'bff' },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (readable) {
    const stream = pretty({
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: PRETTY_HIDDEN,
      singleLine: true,
      messageFormat: prettyMessage,
      // Synchronous, so a line is on the terminal before a crash ends the process.
      sync: true,
      ...(colorize === undefined ? {} : { colorize }),
      ...(destination ? { destination } : {}),
    });
    return pino(options, stream);
  }
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
