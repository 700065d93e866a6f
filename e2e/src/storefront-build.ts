/**
 * The e2e stack serves the storefront's production build (apps/storefront/dist) from the BFF.
 * It is (re)built first when it is missing or older than anything it is built from, as the
 * BFF bundle is (bff-build.ts), so the tests never exercise a stale storefront.
 */
import path from 'node:path';
import { build } from '../../apps/storefront/scripts/size-report.mjs';
import { staleness } from './staleness';

/** What dist is built from: the app, its build config and the workspace package it imports. */
const INPUTS = [
  'apps/storefront/src',
  'apps/storefront/index.html',
  'apps/storefront/vite.config.ts',
  'apps/storefront/build',
  'apps/storefront/tsconfig.json',
  'apps/storefront/package.json',
  'packages/contract/src',
];

/** Builds apps/storefront/dist if needed; returns its path. */
export function storefrontDist(root: string): string {
  const dist = path.join(root, 'apps/storefront/dist');
  const why = staleness(root, path.join(dist, 'index.html'), INPUTS);
  if (why) {
    console.warn(
      `apps/storefront/dist is ${why}: building it (./scripts/pnpm.sh --filter @wxpay-shop/storefront build)`,
    );
    try {
      build();
    } catch (err) {
      throw new Error(
        `the storefront production build failed; run ./scripts/pnpm.sh --filter @wxpay-shop/storefront build:\n${String(err)}`,
      );
    }
  }
  return dist;
}
