/** Types for scripts/lib/stack.mjs (used by e2e/src/stack.ts). */
import type { ChildProcess } from 'node:child_process';

export interface EmulatorAddress {
  host: string;
  port: number;
  httpsPort: number;
}

export interface Merchant {
  appId: string;
  appSecret: string;
  mchId: string;
  apiKey: string;
  /** 32 bytes; needed for API v3. */
  apiV3Key?: string;
}

export type V3KeyMode = 'public-key' | 'platform-certificate' | 'migration';
export interface PayApi {
  apiVersion?: 'v2' | 'v3';
  v3KeyMode?: V3KeyMode;
}

export declare function emulatorEnv(
  options: EmulatorAddress & {
    notifyTimeScale: string;
    stateFile?: string;
    allowedOrigins?: string[];
    v3KeyMode?: V3KeyMode;
  },
): Record<string, string>;
export declare function bffWechatEnv(
  emulator: EmulatorAddress,
  merchant: Merchant,
  pay?: PayApi,
): Record<string, string>;
export declare function waitHealthy(
  url: string,
  options: {
    child?: ChildProcess;
    intervalMs: number;
    timeoutMs: number;
    logs?: () => string;
    name?: string;
    progress?: (elapsedMs: number) => void;
    progressEveryMs?: number;
  },
): Promise<void>;
