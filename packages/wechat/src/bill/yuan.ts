/** Bills state money in yuan with decimals; we count in integer fen. Exact decimal parsing, no floats. */

/** "69.70" → 6970. Refuses anything but an optional minus, digits and at most `decimals` decimals. */
export function yuanToUnits(text: string, decimals: number): number | undefined {
  const match = /^(-?)(\d{1,12})(?:\.(\d+))?$/.exec(text);
  if (!match || (match[3] ?? '').length > decimals) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const units = Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  return sign === '-' ? -units : units;
}

/** 6970 → "69.70" (yuan with `decimals` places, as WeChat writes bill amounts). */
export function unitsToYuan(units: number, decimals: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(decimals + 1, '0');
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
