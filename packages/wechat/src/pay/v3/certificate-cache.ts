/**
 * Keeps the platform certificates in a key ring fresh: downloaded on first use, again when older than
 * the refresh period, and once more when a serial is unknown — rate-limited, so a flood of messages
 * with made-up serials cannot make us hammer /v3/certificates. Concurrent refreshes share one download.
 */
import type { PlatformCertificate, WechatpayKeyRing } from './keyring';

export interface CertificateCacheOptions {
  /** Re-download when the last download is older than this (WeChat rotates certificates; 12 h). */
  refreshMs?: number;
  /** At most one download for unknown serials per this period (60 s). */
  minIntervalMs?: number;
  now?: () => number;
}

export class CertificateCache {
  private loadedAt: number | undefined;
  private lastAttemptAt: number | undefined;
  private lastUnknownSerialAt: number | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly ring: WechatpayKeyRing,
    private readonly download: () => Promise<PlatformCertificate[]>,
    options: CertificateCacheOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 12 * 3600_000;
    this.minIntervalMs = options.minIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Downloads when never loaded or stale, at most once per minIntervalMs. Never throws: on failure the
   * ring keeps what it had (a public key may still verify), and an unknown serial then says why.
   */
  async ensureFresh(): Promise<void> {
    if (this.loadedAt !== undefined && this.now() - this.loadedAt < this.refreshMs) return;
    if (this.inFlight) return this.inFlight.catch(() => undefined);
    if (this.lastAttemptAt !== undefined && this.now() - this.lastAttemptAt < this.minIntervalMs) return;
    await this.refresh().catch(() => undefined);
  }

  /**
   * For an unknown serial: true when a download happened (or was under way), so verifying again may help;
   * false when one happened too recently. A failed download is thrown (the outcome stays unknown).
   */
  async refreshForUnknownSerial(): Promise<boolean> {
    if (this.inFlight) {
      await this.inFlight;
      return true;
    }
    // Its own budget: a scheduled download just before must not block picking up a rotated certificate.
    const last = this.lastUnknownSerialAt;
    if (last !== undefined && this.now() - last < this.minIntervalMs) return false;
    this.lastUnknownSerialAt = this.now();
    await this.refresh();
    return true;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      this.lastAttemptAt = this.now();
      try {
        const certs = await this.download();
        this.ring.replaceCertificates(certs);
        this.loadedAt = this.now();
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}
