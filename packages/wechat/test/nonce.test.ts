import { describe, expect, it } from 'vitest';
import { beijingDateTime, beijingTime } from '../src/index';

describe('beijingDateTime', () => {
  it('formats yyyy-MM-dd HH:mm:ss in UTC+8', () => {
    expect(beijingDateTime(new Date('2024-03-05T01:02:03.999Z'))).toBe('2024-03-05 09:02:03');
  });

  it('rolls over the date (and year) at 16:00 UTC', () => {
    expect(beijingDateTime(new Date('2023-12-31T15:59:59Z'))).toBe('2023-12-31 23:59:59');
    expect(beijingDateTime(new Date('2023-12-31T16:00:00Z'))).toBe('2024-01-01 00:00:00');
  });

  it('is the same instant as beijingTime, punctuated', () => {
    const date = new Date('2025-07-14T20:30:45Z');
    expect(beijingTime(date)).toBe('20250715043045');
    expect(beijingDateTime(date)).toBe('2025-07-15 04:30:45');
  });
});
