/** Lookup of configured merchants by appid and by mch_id. */
import type { MerchantConfig } from './config';

export class MerchantDirectory {
  constructor(readonly all: readonly MerchantConfig[]) {}

  byAppId(appId: string | undefined): MerchantConfig | undefined {
    return appId ? this.all.find((m) => m.appId === appId) : undefined;
  }

  /** A mch_id may serve several appids; any of them carries the same API key. */
  byMchId(mchId: string | undefined): MerchantConfig | undefined {
    return mchId ? this.all.find((m) => m.mchId === mchId) : undefined;
  }

  isBound(appId: string, mchId: string): boolean {
    return this.all.some((m) => m.appId === appId && m.mchId === mchId);
  }

  displayName(m: MerchantConfig): string {
    return m.name ?? `测试商户${m.mchId}`;
  }
}
