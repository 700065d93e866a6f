/** Every timer the emulator starts, so `stop()` can cancel them all at once. */
export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  /** Returns undefined once closed: work finishing after stop() must not schedule more. */
  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    this.pending.set(handle, () => {});
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.pending.get(handle)?.();
    this.pending.delete(handle);
  }

  /** Resolves after `ms`, or early (with `false`) when the emulator stops. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = setTimeout(() => {
        this.pending.delete(handle);
        resolve(true);
      }, ms);
      this.pending.set(handle, () => resolve(false));
    });
  }

  /** clearAll() for good (emulator stopped). */
  close(): void {
    this.closed = true;
    this.clearAll();
  }

  clearAll(): void {
    for (const [handle, onCancel] of this.pending) {
      clearTimeout(handle);
      onCancel();
    }
    this.pending.clear();
  }
}
