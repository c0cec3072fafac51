import type { Exchange } from 'ccxt';
import type { Config } from '../config/schema';
import { callExchange } from '../reliability/response-headers';
import { createExchange } from './client';
import { installResponseGuard } from './response-guard';

/**
 * One ccxt instance per exchange per worker process: ccxt keeps loaded markets and its rate limiter
 * on the instance, so sharing it is what makes both work.
 */
export class ExchangePool {
  private readonly instances = new Map<string, Promise<Exchange>>();

  constructor(private readonly config: Config) {}

  /** The exchange with markets loaded. A failed load is not cached, so the next attempt retries it. */
  get(id: string): Promise<Exchange> {
    let instance = this.instances.get(id);
    if (!instance) {
      const exchangeConfig = this.config.exchanges[id];
      if (!exchangeConfig) {
        return Promise.reject(new Error(`exchange '${id}' is not configured; add it under exchanges: in the config`));
      }
      const exchange = createExchange(id, exchangeConfig);
      installResponseGuard(exchange);
      // wrapped like every other ccxt call, so a 429 while loading markets still carries its Retry-After
      instance = callExchange(exchange, () => exchange.loadMarkets()).then(() => exchange);
      instance.catch(() => this.instances.delete(id));
      this.instances.set(id, instance);
    }
    return instance;
  }

  /**
   * The exchange with its markets loaded afresh (ccxt loadMarkets(true)), so new listings and delistings show;
   * the instance stays the shared one. Throws what loading throws (ccxt's error classes).
   */
  async reloaded(id: string): Promise<Exchange> {
    const exchange = await this.get(id);
    await callExchange(exchange, () => exchange.loadMarkets(true));
    return exchange;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.instances.values());
    for (const r of all) if (r.status === 'fulfilled') await r.value.close();
    this.instances.clear();
  }
}
