/**
 * Merchant order numbers a shopper can read out to 客服: the Beijing date and a database sequence,
 * digits only (e.g. 2026120200000042), well inside WeChat's 32 characters of [0-9A-Za-z_-|*].
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { beijingTime } from '@wxpay-shop/wechat';
import type { DB } from '../db/schema';

/** Sequence digits after the date; a longer sequence simply makes a longer number (never a collision). */
const SEQUENCE_DIGITS = 8;

/** The number for a sequence value: 8 date digits (Beijing) + the value, zero-padded. Pure. */
export function formatOutTradeNo(now: Date, sequence: bigint | number): string {
  return `${outTradeNoPrefix(now)}${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** What comes before the sequence digits, and how many there are at least: for the place_order function. */
export function outTradeNoPrefix(now: Date): string {
  return beijingTime(now).slice(0, 8);
}
export { SEQUENCE_DIGITS };

/**
 * The next order number. The sequence lives in the database, so BFF instances sharing it never
 * draw the same value, and the value alone is unique: the date is only there to be read.
 */
export async function nextOutTradeNo(db: Kysely<DB> | Transaction<DB>, now: Date = new Date()): Promise<string> {
  const { rows } = await sql<{ value: string }>`select nextval('order_no_seq')::text as value`.execute(db);
  const value = rows[0]?.value;
  if (!value) throw new Error('nextOutTradeNo: the order number sequence returned nothing');
  return formatOutTradeNo(now, BigInt(value));
}

/** Any number this shop has issued: today's digits, and the earlier 28 letters and digits. */
export const OUT_TRADE_NO = /^[0-9A-Za-z]{1,32}$/;
