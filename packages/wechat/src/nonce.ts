import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random `[A-Za-z0-9]` string (nonce_str, state, codes). Rejection sampling keeps it unbiased. */
export function randomString(length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Seconds since the epoch as a 10-digit string, as `timeStamp` must be. */
export function unixSeconds(now: Date = new Date()): string {
  return String(Math.floor(now.getTime() / 1000));
}

/** `yyyy-MM-ddTHH:mm:ss` in Beijing time (UTC+8, no DST). */
function beijingIso(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
}

/** `yyyyMMddHHmmss` in Beijing time (UTC+8, no DST), WeChat's time format. */
export function beijingTime(date: Date): string {
  return beijingIso(date).replace(/[-T:]/g, '');
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, the format of the refund notification's success_time. */
export function beijingDateTime(date: Date): string {
  return beijingIso(date).replace('T', ' ');
}

/** Parses `yyyyMMddHHmmss` Beijing time; null when malformed. */
export function parseBeijingTime(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h - 8, mi, s));
  return beijingTime(date) === value ? date : null;
}
