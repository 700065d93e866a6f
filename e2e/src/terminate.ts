import type { ChildProcess } from 'node:child_process';

/**
 * SIGTERM, then SIGKILL after 5 s if it is still there. With `group`, the whole process group
 * (a child spawned `detached`) is signalled, and killed regardless: its own children may
 * outlive it.
 */
export async function terminate(child: ChildProcess, { group = false } = {}): Promise<void> {
  const pid = child.pid;
  if (child.exitCode !== null || pid === undefined) return;
  const send = (signal: NodeJS.Signals) => (group ? process.kill(-pid, signal) : child.kill(signal));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  send('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  try {
    if (group || child.exitCode === null) send('SIGKILL');
  } catch {
    // already gone
  }
}
