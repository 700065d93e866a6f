/** Beijing calendar days for bills: which day is due, and its bounds as instants. Pure. */

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
/** WeChat makes a day's bill from about 09:00 the next day; asking from 10:00 leaves it time. */
export const BILL_READY_HOUR = 10;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `yyyy-MM-dd` of a real calendar day, else null. */
export function parseBillDay(value: string): string | null {
  const match = DAY.exec(value);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? value : null;
}

/** The Beijing day `instant` falls on, `yyyy-MM-dd`. */
export function beijingDayOf(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** [start, end) of a Beijing day as instants. */
export function beijingDayBounds(day: string): { start: Date; end: Date } {
  const start = new Date(Date.parse(`${day}T00:00:00Z`) - BEIJING_OFFSET_MS);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}

/** `yyyyMMdd`, as downloadbill's bill_date wants it. */
export const wechatBillDate = (day: string) => day.replace(/-/g, '');

/** The day whose bill is due at `now`: yesterday (Beijing) from 10:00 Beijing on, else none yet. */
export function dueBillDay(now: Date): string | null {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS);
  if (beijing.getUTCHours() < BILL_READY_HOUR) return null;
  return beijingDayOf(new Date(now.getTime() - DAY_MS));
}
