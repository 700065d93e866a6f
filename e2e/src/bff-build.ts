/**
 * The e2e stack runs the BFF as production does: the `start` script of apps/bff, i.e. the
 * esbuild bundle in apps/bff/dist under plain node. The bundle is (re)built first when it is
 * missing or older than anything it is built from, so the tests never exercise stale code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { staleness } from './staleness';

/** What the bundle is built from: the BFF and the workspace packages it inlines, and the build itself. */
const INPUTS = [
  'apps/bff/src',
  'packages/contract/src',
  'packages/wechat/src',
  'apps/bff/package.json',
  'apps/bff/build.mjs',
];

/** Builds apps/bff/dist if needed, then returns the `start` script's command (`node …`) to spawn. */
export function bffStartCommand(root: string): { command: string; args: string[] } {
  const bff = path.join(root, 'apps/bff');
  const bundle = path.join(bff, 'dist/main.js');
  const why = staleness(root, bundle, INPUTS);
  if (why) {
    console.warn(`apps/bff/dist/main.js is ${why}: building it (./scripts/pnpm.sh --filter @wxpay-shop/bff build)`);
    try {
      execFileSync(process.execPath, ['build.mjs'], { cwd: bff, stdio: 'pipe' });
    } catch (err) {
      const output = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
      throw new Error(
        `the BFF production build failed; run ./scripts/pnpm.sh --filter @wxpay-shop/bff build:\n${output}`,
      );
    }
  }
  const start: unknown = JSON.parse(readFileSync(path.join(bff, 'package.json'), 'utf8')).scripts?.start;
  const [command, ...args] = typeof start === 'string' ? start.split(/\s+/) : [];
  if (command !== 'node')
    throw new Error(`apps/bff's start script should run the build with node, got: ${String(start)}`);
  return { command: process.execPath, args };
}
