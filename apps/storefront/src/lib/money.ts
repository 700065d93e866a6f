/** Formats integer fen as ¥x.xx without floating-point arithmetic. */
export function formatFen(fen: number): string {
  if (!Number.isFinite(fen)) return '¥--';
  const whole = Math.round(Math.abs(fen));
  const sign = fen < 0 && whole !== 0 ? '-' : '';
  const yuan = Math.floor(whole / 100);
  const cents = String(whole % 100).padStart(2, '0');
  return `${sign}¥${yuan}.${cents}`;
}
