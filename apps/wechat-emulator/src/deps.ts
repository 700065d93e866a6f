/** What route modules share: configuration, state, merchants, timers and the notifier. */
import type { ResolvedConfig } from './config';
import type { MerchantDirectory } from './merchants';
import type { EmulatorState } from './state';
import type { Timers } from './timers';
import type { Notifier } from './notify/notifier';
import type { V3Keys } from './pay/v3/keys';

export interface Deps {
  config: ResolvedConfig;
  state: EmulatorState;
  merchants: MerchantDirectory;
  timers: Timers;
  notifier: Notifier;
  /** API v3: merchant API certificates and WeChat Pay's signing keys. */
  v3: V3Keys;
  /** Origin browsers use to reach the HTTP port (known once listening). */
  publicUrl(): string;
  log(line: string): void;
  /** State may have changed (saves the state file, if any, soon). */
  changed(): void;
}
