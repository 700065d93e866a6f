/**
 * Seeded, deterministic randomness for property and mutation tests (this package's, and the
 * emulator's and BFF's through `@wxpay-shop/wechat/testing`): same seed, same cases, on every
 * machine. Set WECHAT_PROPERTY_SEED to replay the seed a failure message names.
 */

/** mulberry32: tiny, fast and good enough to spread test cases; not for anything secret. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  alnum(length: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from({ length }, () => chars[this.below(chars.length)]).join('');
  }

  hex(length: number): string {
    return Array.from({ length }, () => this.below(16).toString(16)).join('');
  }
}

export const DEFAULT_SEED = 0x5eed2024;

export function propertySeed(): number {
  const fromEnv = process.env.WECHAT_PROPERTY_SEED;
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_SEED;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed))
    throw new Error(`WECHAT_PROPERTY_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
  return seed;
}

/**
 * Runs `check` on `runs` generated cases, each from its own PRNG seeded with `seed + i`, so one
 * failing case replays alone. A failure is re-thrown naming the seed, the case and its input.
 */
export async function forAll<T>(
  runs: number,
  generate: (rng: Prng) => T,
  check: (input: T, rng: Prng) => void | Promise<void>,
  seed = propertySeed(),
): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const rng = new Prng(seed + i);
    const input = generate(rng);
    try {
      await check(input, rng);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(
        `property failed for case ${i} (WECHAT_PROPERTY_SEED=${seed}, case seed ${seed + i}): ${message}\ninput: ${describe(input)}`,
        { cause: err },
      );
    }
  }
}

function describe(input: unknown): string {
  // Buffers reach the replacer already turned into {type: 'Buffer', data}; spell them as hex.
  const text = JSON.stringify(input, (_key, value: unknown) =>
    isBufferJson(value) ? `<Buffer ${Buffer.from(value.data).toString('hex')}>` : value,
  );
  if (text === undefined) return String(input);
  return text.length > 4000 ? `${text.slice(0, 4000)}… (${text.length} chars)` : text;
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}
