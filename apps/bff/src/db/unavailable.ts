/** Tells an unreachable or restarting database apart from a bug: the former is a 503, retried later. */

/** Socket errors of a connection to PostgreSQL that is refused, reset or timed out. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or not accepting us yet: class 08 (connection exception),
 * 57P01–57P03 (admin/crash shutdown, starting up) and 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

/** node-postgres reports a lost or timed-out connection with these messages and no code. */
const LOST_CONNECTION = new RegExp(
  [
    '^Connection terminated( unexpectedly| due to connection timeout)?$',
    '^timeout exceeded when trying to connect$',
    '^Client has encountered a connection error',
  ].join('|'),
);

/** True when `err` (or its cause) says the database cannot be reached right now, as opposed to a failed query. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 3) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (LOST_CONNECTION.test(err.message)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(err.cause, depth + 1);
}
