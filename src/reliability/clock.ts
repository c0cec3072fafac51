/**
 * Time as the reliability layer sees it, injectable so the breaker and the rate limiter can be tested
 * with a controllable clock instead of real waiting.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
