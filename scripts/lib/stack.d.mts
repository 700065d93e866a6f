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
}

export declare function emulatorEnv(options: EmulatorAddress & { notifyTimeScale: string; stateFile?: string; allowedOrigins?: string[] }): Record<string, string>;
export declare function bffWechatEnv(emulator: EmulatorAddress, merchant: Merchant): Record<string, string>;
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
