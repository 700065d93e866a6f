import { describe, expect, it } from 'vitest';
import { safeReturnTo, withFlag } from '../src/auth/return-to';

describe('safeReturnTo', () => {
  it.each([
    ['/orders', '/orders'],
    ['/orders/123?x=1#top', '/orders/123?x=1#top'],
    ['/', '/'],
  ])('keeps same-site path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    '//evil.com',
    '//evil.com/path',
    'https://evil.com',
    'http:evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'javascript:alert(1)',
    '/\t/evil.com',
    '/\n/evil.com',
    'evil.com',
    '',
    '/%5Cevil.com'.replace('%5C', '\\'),
    // Dot segments that collapse into a protocol-relative path once the URL is normalised.
    '/..//evil.com',
    '/.//evil.com',
    '/a/..//evil.com',
    '/%2e%2e//evil.com',
    '/%2E//evil.com',
    '/a/%2e%2e//evil.com/x?y=1',
  ])('rejects %j', (input) => {
    expect(safeReturnTo(input)).toBe('/');
  });

  it('keeps harmless dot segments and encoded slashes on this site', () => {
    expect(safeReturnTo('/a/../orders')).toBe('/orders');
    expect(safeReturnTo('/%2F%2Fevil.com')).toBe('/%2F%2Fevil.com');
  });

  it('rejects non-strings (repeated query parameters)', () => {
    expect(safeReturnTo(['/a', '/b'])).toBe('/');
    expect(safeReturnTo(undefined)).toBe('/');
  });

  it('appends flags before the fragment', () => {
    expect(withFlag('/cart#x', 'login', 'declined')).toBe('/cart?login=declined#x');
    expect(withFlag('/cart?a=1', 'login', 'declined')).toBe('/cart?a=1&login=declined');
  });
});
