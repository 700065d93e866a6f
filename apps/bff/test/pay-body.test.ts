import { describe, expect, it } from 'vitest';
import { PAY_BODY_MAX_BYTES, fitUtf8, payBody } from '../src/payments/pay-routes';

const SHOP = '微信小店';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** UTF-16 offsets in `text` where one grapheme (what a reader sees as one character) ends. */
function boundaries(text: string): Set<number> {
  const ends = [...new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(text)].map(
    (g) => g.index + g.segment.length,
  );
  return new Set([0, ...ends]);
}

describe('unifiedorder body', () => {
  it('stays within 127 bytes of UTF-8 for a name that made exactly 128 before', () => {
    // "微信小店-" is 13 bytes; this name is 115, so the whole was 128 bytes, one over String(127).
    const name = `a${'汉'.repeat(38)}`;
    const body = payBody([{ name, quantity: 1 }], SHOP);
    expect(bytes(body)).toBeLessThanOrEqual(PAY_BODY_MAX_BYTES);
    expect(body).toBe(`微信小店-a${'汉'.repeat(36)}…`);
  });

  it('keeps the item count when the name is cut, and a name that fits whole', () => {
    expect(
      payBody(
        [
          { name: '西湖龙井', quantity: 2 },
          { name: '马克杯', quantity: 1 },
        ],
        SHOP,
      ),
    ).toBe('微信小店-西湖龙井 等3件');
    expect(payBody([{ name: '马克杯', quantity: 1 }], '山居茶铺')).toBe('山居茶铺-马克杯');
    const body = payBody([{ name: '长'.repeat(100), quantity: 12 }], SHOP);
    expect(bytes(body)).toBeLessThanOrEqual(PAY_BODY_MAX_BYTES);
    expect(body).toMatch(/^微信小店-长+… 等12件$/);
  });

  it('cuts only between characters: never inside a CJK character, a surrogate pair or an emoji sequence', () => {
    for (const name of ['😀'.repeat(40), `${'x'.repeat(100)}👩‍👩‍👧‍👦`.repeat(2), 'é'.repeat(100), `ab${'汉'.repeat(60)}`]) {
      const body = payBody([{ name, quantity: 1 }], SHOP);
      expect(bytes(body), name).toBeLessThanOrEqual(PAY_BODY_MAX_BYTES);
      // What is kept is the name up to a boundary between user-perceived characters.
      const kept = body.slice('微信小店-'.length).replace(/…$/, '');
      expect(name.startsWith(kept), name).toBe(true);
      expect(boundaries(name).has(kept.length), name).toBe(true);
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('adds the ellipsis only when it fits', () => {
    expect(fitUtf8('汉汉', 6)).toBe('汉汉');
    expect(fitUtf8('汉汉汉', 6)).toBe('汉…');
    expect(fitUtf8('abcdef', 5)).toBe('ab…');
    expect(fitUtf8('abcdef', 2)).toBe('ab');
    expect(fitUtf8('汉汉', 2)).toBe('');
  });
});
