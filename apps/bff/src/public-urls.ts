/**
 * URLs WeChat and the browser must reach. With PUBLIC_BASE_URL unset they derive from the
 * address the server actually listens on, known only after listen (port 0 in tests).
 */
import type { Config } from './config';

export class PublicUrls {
  private listenOrigin: string | null = null;

  constructor(private readonly config: Config) {}

  bindListenOrigin(origin: string): void {
    this.listenOrigin = origin;
  }

  get base(): string {
    const base = this.config.publicBaseUrl ?? this.listenOrigin;
    if (!base) throw new Error('PUBLIC_BASE_URL is unset and the server is not listening yet');
    return base;
  }

  get oauthCallback(): string {
    return `${this.base}/api/auth/callback`;
  }

  get payNotify(): string {
    return this.config.wechat.payNotifyUrl ?? `${this.base}/api/wechat/pay/notify`;
  }

  get refundNotify(): string {
    return this.config.wechat.refundNotifyUrl ?? `${this.base}/api/wechat/refund/notify`;
  }
}
