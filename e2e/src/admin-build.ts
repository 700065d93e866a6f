/** The e2e stack serves the operator console's production build (apps/admin/dist); rebuilt first when stale. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { staleness } from './staleness';

const INPUTS = [
  'apps/admin/src',
  'apps/admin/index.html',
  'apps/admin/vite.config.ts',
  'apps/admin/package.json',
  'packages/contract/src',
];

/** Builds apps/admin/dist if needed; returns its path. */
export function adminDist(root: string): string {
  const dist = path.join(root, 'apps/admin/dist');
  const why = staleness(root, path.join(dist, 'index.html'), INPUTS);
  if (why) {
    console.warn(`apps/admin/dist is ${why}: building it (./scripts/pnpm.sh --filter @wxpay-shop/admin build)`);
    execFileSync(path.join(root, 'apps/admin/node_modules/.bin/vite'), ['build'], {
      cwd: path.join(root, 'apps/admin'),
      stdio: 'pipe',
    });
  }
  return dist;
}
