/** CertificateCache: when platform certificates are downloaded again, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { CertificateCache, WechatpayKeyRing, parsePlatformCertificate, type PlatformCertificate } from '../src/index';
import { issuePlatformCert } from './helpers/v3-certs';

const first = parsePlatformCertificate(issuePlatformCert('1001').cert);
const second = parsePlatformCertificate(issuePlatformCert('1002').cert);

function setup(answers: (PlatformCertificate[] | Error)[]) {
  let nowMs = 1_000_000;
  let downloads = 0;
  const ring = new WechatpayKeyRing();
  const cache = new CertificateCache(
    ring,
    async () => {
      downloads++;
      const next = answers.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no more answers');
      return next;
    },
    { refreshMs: 12 * 3600_000, minIntervalMs: 60_000, now: () => nowMs },
  );
  return { ring, cache, downloads: () => downloads, advance: (ms: number) => (nowMs += ms) };
}

describe('CertificateCache', () => {
  it('downloads on first use, reuses until refreshMs, then downloads again', async () => {
    const t = setup([[first], [second]]);
    await t.cache.ensureFresh();
    await t.cache.ensureFresh();
    expect(t.downloads()).toBe(1);
    expect(t.ring.certificateSerials).toEqual(['1001']);
    t.advance(12 * 3600_000);
    await t.cache.ensureFresh();
    expect(t.downloads()).toBe(2);
    expect(t.ring.certificateSerials).toEqual(['1002']);
  });

  it('a failed scheduled download keeps the old certificates and is not retried within minIntervalMs', async () => {
    const t = setup([[first], new Error('down'), [second]]);
    await t.cache.ensureFresh();
    t.advance(12 * 3600_000);
    await expect(t.cache.ensureFresh()).resolves.toBeUndefined();
    expect(t.ring.certificateSerials).toEqual(['1001']);
    await t.cache.ensureFresh();
    expect(t.downloads()).toBe(2);
    t.advance(60_000);
    await t.cache.ensureFresh();
    expect(t.ring.certificateSerials).toEqual(['1002']);
  });

  it('unknown serials: one download per minIntervalMs, shared by concurrent callers; failures thrown', async () => {
    const t = setup([[first], [second], new Error('down')]);
    const both = await Promise.all([t.cache.refreshForUnknownSerial(), t.cache.refreshForUnknownSerial()]);
    expect(both).toEqual([true, true]);
    expect(t.downloads()).toBe(1);
    expect(await t.cache.refreshForUnknownSerial()).toBe(false);
    t.advance(60_000);
    expect(await t.cache.refreshForUnknownSerial()).toBe(true);
    expect(t.ring.certificateSerials).toEqual(['1002']);
    t.advance(60_000);
    await expect(t.cache.refreshForUnknownSerial()).rejects.toThrow('down');
    expect(t.ring.certificateSerials).toEqual(['1002']);
  });
});
