/**
 * Per exchange rate limiting, on top of ccxt's own limiter (which knows the exchange's documented
 * weights but not how the exchange is actually treating us). Each priority class has its own token
 * bucket, so a flood of collection calls never starves health checks or admin calls. The rate adapts
 * (AIMD): a 429 / 418 / DDoSProtection multiplies every class's rate by decreaseFactor (once per
 * cooldown, so one burst of 429s is one cut) and pauses the exchange for Retry-After; each success adds
 * increaseFraction x ceiling back; the rate never exceeds the configured ceiling nor drops below its floor.
 */
import { systemClock, type Clock } from './clock';
import { DEFAULT_POLICIES, PRIORITIES, rateCeiling, type Policies, type Priority } from './policies';

interface Bucket {
  priority: Priority;
  ceiling: number;
  tokens: number;
  refilledAt: number;
  waiters: Array<() => void>;
  pumping: boolean;
}

export interface RateLimiterSnapshot {
  exchange: string;
  /** Fraction of the ceiling currently allowed (1 = full speed). */
  factor: number;
  rates: Record<Priority, number>;
  waiting: Record<Priority, number>;
  pausedForMs: number;
}

export class ExchangeRateLimiter {
  private factor = 1;
  private pausedUntil = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private readonly buckets: Record<Priority, Bucket>;

  constructor(
    readonly exchange: string,
    private readonly policies: Policies = DEFAULT_POLICIES,
    private readonly clock: Clock = systemClock,
  ) {
    const now = clock.now();
    this.buckets = Object.fromEntries(
      PRIORITIES.map((priority) => {
        const ceiling = rateCeiling(exchange, priority, policies);
        const bucket: Bucket = { priority, ceiling, tokens: Math.max(1, ceiling), refilledAt: now, waiters: [], pumping: false };
        return [priority, bucket];
      }),
    ) as Record<Priority, Bucket>;
  }

  /** Requests per second currently allowed for a priority class. */
  rate(priority: Priority): number {
    return this.buckets[priority].ceiling * this.factor;
  }

  /** Resolves when a request of this priority may go out (FIFO within the priority). */
  acquire(priority: Priority): Promise<void> {
    const bucket = this.buckets[priority];
    if (!bucket) return Promise.reject(new Error(`unknown rate limit priority '${priority}'; use one of ${PRIORITIES.join(', ')}`));
    this.refill(bucket);
    if (bucket.waiters.length === 0 && this.clock.now() >= this.pausedUntil && bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      bucket.waiters.push(resolve);
      void this.pump(bucket);
    });
  }

  /** The exchange said slow down (429, 418, DDoSProtection): cut the rate and hold off for Retry-After. */
  onRateLimited(retryAfterMs?: number): void {
    const now = this.clock.now();
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    if (now - this.lastDecreaseAt < this.policies.rateLimits.decreaseCooldownMs) return;
    this.lastDecreaseAt = now;
    for (const bucket of Object.values(this.buckets)) this.refill(bucket);
    const { decreaseFactor, floorFraction } = this.policies.rateLimits;
    this.factor = Math.max(floorFraction, this.factor * decreaseFactor);
    // tokens saved up at the old rate would let a burst through right after the cut
    for (const bucket of Object.values(this.buckets)) bucket.tokens = Math.min(bucket.tokens, this.capacity(bucket));
  }

  /** A request went through: additive increase, up to the ceiling. */
  onSuccess(): void {
    if (this.factor >= 1) return;
    for (const bucket of Object.values(this.buckets)) this.refill(bucket);
    this.factor = Math.min(1, this.factor + this.policies.rateLimits.increaseFraction);
  }

  snapshot(): RateLimiterSnapshot {
    const rates = {} as Record<Priority, number>;
    const waiting = {} as Record<Priority, number>;
    for (const p of PRIORITIES) {
      rates[p] = this.rate(p);
      waiting[p] = this.buckets[p].waiters.length;
    }
    return { exchange: this.exchange, factor: this.factor, rates, waiting, pausedForMs: Math.max(0, this.pausedUntil - this.clock.now()) };
  }

  /** Burst allowance: one second's worth of tokens at the current rate, at least one. */
  private capacity(bucket: Bucket): number {
    return Math.max(1, this.rate(bucket.priority));
  }

  private refill(bucket: Bucket): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - bucket.refilledAt);
    bucket.refilledAt = now;
    bucket.tokens = Math.min(this.capacity(bucket), bucket.tokens + (elapsed / 1000) * this.rate(bucket.priority));
  }

  /** One pump per bucket hands out tokens to waiters in order, sleeping until the next token is due. */
  private async pump(bucket: Bucket): Promise<void> {
    if (bucket.pumping) return;
    bucket.pumping = true;
    try {
      while (bucket.waiters.length) {
        const hold = this.pausedUntil - this.clock.now();
        if (hold > 0) {
          await this.clock.sleep(hold);
          continue;
        }
        this.refill(bucket);
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          bucket.waiters.shift()?.();
          continue;
        }
        await this.clock.sleep(Math.ceil(((1 - bucket.tokens) / this.rate(bucket.priority)) * 1000));
      }
    } finally {
      bucket.pumping = false;
    }
  }
}

/** One limiter per exchange id, shared by every activity of the worker process. */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, ExchangeRateLimiter>();

  constructor(
    private readonly policies: Policies = DEFAULT_POLICIES,
    private readonly clock: Clock = systemClock,
  ) {}

  get(exchange: string): ExchangeRateLimiter {
    let limiter = this.limiters.get(exchange);
    if (!limiter) {
      limiter = new ExchangeRateLimiter(exchange, this.policies, this.clock);
      this.limiters.set(exchange, limiter);
    }
    return limiter;
  }

  snapshot(): RateLimiterSnapshot[] {
    return [...this.limiters.values()].map((l) => l.snapshot());
  }
}

/**
 * The Temporal-side global cap for the `collect-<exchange>` task queue (Worker option
 * maxTaskQueueActivitiesPerSecond): the sum of the exchange's priority ceilings. Temporal enforces it
 * across all workers polling the queue, so adding workers never multiplies the request rate; the
 * in-process limiter above then shapes and adapts the rate within it.
 */
export function maxTaskQueueActivitiesPerSecond(exchange: string, policies: Policies = DEFAULT_POLICIES): number {
  return PRIORITIES.reduce((sum, p) => sum + rateCeiling(exchange, p, policies), 0);
}
