/** Public entry: createEmulator() — a local stand-in for WeChat's OAuth and Pay (API v2 and v3) servers. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { loadMerchantsFile, resolveConfig, type EmulatorOptions } from './config';
import type { Deps } from './deps';
import { MerchantDirectory } from './merchants';
import { Notifier } from './notify/notifier';
import { pay } from './pay/payment';
import { V3Keys, WECHATPAY_PUBLIC_KEY_ID } from './pay/v3/keys';
import { StateFile } from './persist';
import { EmulatorState } from './state';
import { lockStateFile } from './state-lock';
import { Timers } from './timers';
import { loadCerts, merchantCerts } from './tls';

export { DEFAULT_MERCHANT, type MerchantConfig, type EmulatorOptions } from './config';
export { EmulatorState } from './state';
export { StateFileError } from './persist';
export { StateFileInUseError } from './state-lock';
export type { Order, TradeState } from './pay/order';
export type { Refund } from './pay/refund-record';
export type { NotifyDelivery, DeliveryAttempt } from './notify/delivery';
export { FAULT_KINDS, FAULT_TARGETS, type Fault, type FaultKind, type FaultTarget } from './faults';
export { TEST_USERS, openidFor, unionidFor, type TestUser } from './users';
export { RETRY_INTERVALS_SEC } from './notify/schedule';
export { issueMerchantCert } from './pki';
export { WECHATPAY_PUBLIC_KEY_ID } from './pay/v3/keys';
export { V3_KEY_MODES, type V3KeyMode } from './config';

export interface Emulator {
  start(): Promise<{ httpUrl: string; httpsUrl: string }>;
  /** Also cancels pending notification retries and refund completions. */
  stop(): Promise<void>;
  readonly httpUrl: string;
  readonly httpsUrl: string;
  /**
   * PEM: test CA, and the committed merchant client certificate and key (CN=10000100, the default
   * merchant) for the BFF's mTLS config. `forMerchant(mchId)` gives any configured merchant's own
   * certificate (issued under the same CA on first use), as /secapi wants CN = mch_id.
   */
  readonly certs: {
    caCert: string;
    merchantCert: string;
    merchantKey: string;
    forMerchant(mchId: string): { cert: string; key: string };
    /** API v3: the platform certificate (what /v3/certificates serves) and the WeChat Pay public key + id. */
    platformCert: string;
    wechatpayPublicKey: string;
    wechatpayPublicKeyId: string;
  };
  readonly state: EmulatorState;
  /** Marks the order paid (as the user confirming the pay sheet) and starts its notification. */
  pay(prepayIdOrOutTradeNo: string): Promise<void>;
}

function origin(protocol: 'http' | 'https', host: string, port: number): string {
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const envConfig = process.env.EMULATOR_CONFIG;
  const config = resolveConfig({
    ...options,
    merchants: options.merchants ?? (envConfig ? loadMerchantsFile(envConfig) : undefined),
  });
  const pki = loadCerts();
  const certFor = merchantCerts(pki);
  const state = new EmulatorState();
  const merchants = new MerchantDirectory(config.merchants);
  const timers = new Timers();
  const stateFile = config.stateFile ? new StateFile(config.stateFile, state, config.log) : undefined;
  let stopped = false;
  // After stop() nothing is saved: late work (an attempt in flight) must not rewrite the file.
  const changed = () => {
    if (!stopped) stateFile?.changed();
  };
  // Two emulators saving one file would each overwrite the other's orders.
  const lock = stateFile ? lockStateFile(stateFile.path) : undefined;
  let loaded = false;
  try {
    loaded = stateFile?.load() ?? false;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const v3 = new V3Keys(pki, certFor, config.v3KeyMode);
  const notifier = new Notifier(config, state, merchants, timers, v3, changed);
  let httpUrl = '';
  let httpsUrl = '';
  const deps: Deps = {
    config,
    state,
    merchants,
    timers,
    notifier,
    v3,
    publicUrl: () => config.publicUrl ?? httpUrl,
    log: config.log,
    changed,
  };

  const reset = () => {
    notifier.clear();
    timers.clearAll();
    state.reset();
    changed();
  };
  const app = createApp(deps, reset);
  const callback = app.callback();
  const httpServer = createHttpServer(callback);
  // Client certs are requested but verified per route, so non-/secapi endpoints work without one.
  const httpsServer = createHttpsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
    callback,
  );

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    async start() {
      httpUrl = origin('http', config.host, await listen(httpServer, config.port));
      httpsUrl = origin('https', config.host, await listen(httpsServer, config.httpsPort));
      config.log(`listening on ${httpUrl} and ${httpsUrl}`);
      if (loaded) {
        config.log(
          `state loaded from ${stateFile!.path}: ${state.orders.size} orders, ${state.deliveries.size} notifications`,
        );
        notifier.resume();
      }
      return { httpUrl, httpsUrl };
    },
    async stop() {
      // Saved before clear(), which forgets when the pending retries were due.
      stateFile?.flush();
      stopped = true;
      notifier.clear();
      timers.close();
      await Promise.all([close(httpServer), close(httpsServer)]);
      lock?.release();
    },
    get httpUrl() {
      return httpUrl;
    },
    get httpsUrl() {
      return httpsUrl;
    },
    certs: {
      caCert: pki.caCert,
      merchantCert: pki.merchantCert,
      merchantKey: pki.merchantKey,
      forMerchant(mchId: string) {
        if (!merchants.byMchId(mchId)) throw new Error(`no merchant ${mchId} is configured`);
        return certFor(mchId);
      },
      platformCert: pki.platformCert,
      wechatpayPublicKey: pki.wechatpayPublicKey,
      wechatpayPublicKeyId: WECHATPAY_PUBLIC_KEY_ID,
    },
    state,
    async pay(prepayIdOrOutTradeNo: string) {
      pay(prepayIdOrOutTradeNo, deps);
      changed();
    },
  };
}
