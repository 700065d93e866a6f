import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientIp, normalizeIp } from '../src/http/client-ip';

describe('spbill_create_ip normalisation', () => {
  it('turns IPv4-mapped IPv6 (dotted or hex) into IPv4', () => {
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeIp('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(normalizeIp('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('keeps plain IPv4 and IPv6, dropping ports, brackets and zone ids that proxies or sockets add', () => {
    expect(normalizeIp('14.23.150.211')).toBe('14.23.150.211');
    expect(normalizeIp(' 14.23.150.211 ')).toBe('14.23.150.211');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8::1');
    expect(normalizeIp('14.23.150.211:51234')).toBe('14.23.150.211');
    expect(normalizeIp('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
  });

  it('refuses anything that is not an address', () => {
    for (const bad of [
      undefined,
      '',
      'unknown',
      'localhost',
      '1.2.3',
      '01.2.3.4',
      '256.1.1.1',
      '1.2.3.4, 5.6.7.8',
      '<script>',
      '::ffff:zzzz:1',
    ]) {
      expect(normalizeIp(bad), String(bad)).toBeNull();
    }
  });

  it('takes the first usable candidate and always yields an address WeChat accepts', () => {
    expect(clientIp('garbage', '::ffff:10.0.0.9')).toBe('10.0.0.9');
    expect(clientIp('', undefined)).toBe('127.0.0.1');
    for (const raw of ['::ffff:7f00:1', 'x'.repeat(100), '1.2.3.4:80', 'fe80::1%eth0']) {
      const ip = clientIp(raw);
      expect(isIP(ip), raw).not.toBe(0);
      expect(ip).not.toMatch(/^::ffff:|%|\[/i);
    }
  });
});
