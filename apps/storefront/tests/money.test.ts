import { describe, expect, it } from 'vitest';
import { formatFen } from '../src/lib/money';

describe('formatFen', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [100, '¥1.00'],
    [12_345, '¥123.45'],
    [1_000_000_01, '¥1000000.01'],
    [-250, '-¥2.50'],
  ])('formats %i fen as %s', (fen, expected) => {
    expect(formatFen(fen)).toBe(expected);
  });

  it('never shows float artefacts', () => {
    // 0.1 + 0.2 style errors would surface here with naive division.
    expect(formatFen(29)).toBe('¥0.29');
    expect(formatFen(1_005)).toBe('¥10.05');
  });

  it('degrades gracefully on bad input', () => {
    expect(formatFen(Number.NaN)).toBe('¥--');
  });
});
