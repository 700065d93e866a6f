/** WeChat's v2 notification retry schedule (§5.4): 15 retries after the first delivery, 24h4m in total. */
export const RETRY_INTERVALS_SEC: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

/** Delay before retry number `index` (0-based), compressed by the time scale; undefined when exhausted. */
export function retryDelayMs(index: number, timeScale: number): number | undefined {
  const sec = RETRY_INTERVALS_SEC[index];
  return sec === undefined ? undefined : Math.max(1, Math.round(sec * 1000 * timeScale));
}
