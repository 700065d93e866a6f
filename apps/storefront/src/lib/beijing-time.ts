/** China Standard Time: UTC+8 all year (no daylight saving since 1991). */
const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * `yyyy-MM-dd HH:mm:ss` in Beijing time, whatever the browser's time zone, so a time shown
 * next to an order number falls on the date that number encodes. Unparseable input is
 * shown as it came rather than hidden.
 */
export function formatBeijingDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
