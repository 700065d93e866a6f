/**
 * One emulator per state file: `<file>.lock` is created exclusively and holds the owner's pid.
 * A lock whose process is gone (killed, crashed) is stale and taken over at once.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateFileError } from './persist';

/** Thrown when another live emulator (`pid`) holds the state file; stop it or use another file. */
export class StateFileInUseError extends StateFileError {
  override readonly name = 'StateFileInUseError';

  constructor(
    readonly stateFile: string,
    readonly pid: number,
  ) {
    super(
      `emulator state file ${stateFile} is in use by process ${pid} (another emulator, e.g. an earlier \`npm start\`); ` +
        'stop it, or give this emulator its own EMULATOR_STATE_FILE',
    );
  }
}

/** Lock files this process holds; removed on exit even when stop() never ran. */
const held = new Set<string>();
let exitHookInstalled = false;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderPid(lockPath: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(lockPath, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The state file's lock, held until release(). */
export interface StateLock {
  release(): void;
}

/** Takes `<stateFile>.lock`, or throws StateFileInUseError naming the live process that has it. */
export function lockStateFile(stateFile: string): StateLock {
  const lockPath = `${stateFile}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; ; attempt += 1) {
    try {
      writeFileSync(lockPath, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = holderPid(lockPath);
    // Our own pid counts as live only while this process holds it: otherwise the pid was reused.
    const live = pid !== undefined && (pid === process.pid ? held.has(lockPath) : isAlive(pid));
    if (live) throw new StateFileInUseError(stateFile, pid);
    unlinkSync(lockPath);
  }
  held.add(lockPath);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const path of held) unlinkQuietly(path);
    });
  }
  return {
    release() {
      if (!held.delete(lockPath)) return;
      unlinkQuietly(lockPath);
    },
  };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
