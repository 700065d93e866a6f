/**
 * When a production build the e2e stack runs is out of date: missing, or older than any file
 * it is built from. The suites rebuild it then, so they never exercise stale code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(root: string, input: string): number {
  const full = path.join(root, input);
  if (!statSync(full).isDirectory()) return statSync(full).mtimeMs;
  return Math.max(
    statSync(full).mtimeMs,
    ...readdirSync(full, { recursive: true, encoding: 'utf8' }).map((f) => statSync(path.join(full, f)).mtimeMs),
  );
}

/**
 * Why `output` needs rebuilding ('missing', 'older than <input>'), or undefined when it is
 * newer than every input (files or directories, relative to `root`).
 */
export function staleness(root: string, output: string, inputs: readonly string[]): string | undefined {
  if (!existsSync(output)) return 'missing';
  const built = statSync(output).mtimeMs;
  const changed = inputs.find((input) => newestMtime(root, input) > built);
  return changed && `older than ${changed}`;
}
