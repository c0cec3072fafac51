import ccxt, { type Exchange } from 'ccxt';
import { parseDuration, type ExchangeConfig } from '../config/schema';
import { exchangeCredentials } from '../config/secrets';

export class UnknownExchangeError extends Error {
  override name = 'UnknownExchangeError';
}

/**
 * Builds a ccxt exchange from config. `api` overrides ccxt's urls.api: a string replaces every API URL,
 * a mapping replaces the named ones. This is the only place a ccxt exchange is constructed.
 */
export function createExchange(id: string, config: Omit<ExchangeConfig, 'enableRateLimit'> & { enableRateLimit?: boolean }, env: NodeJS.ProcessEnv = process.env): Exchange {
  const ExchangeClass = (ccxt as unknown as Record<string, new (opts: object) => Exchange>)[id];
  if (!ccxt.exchanges.includes(id) || typeof ExchangeClass !== 'function') {
    throw new UnknownExchangeError(`unknown exchange '${id}'; use a ccxt exchange id such as okx, binance, binanceusdm, bybit or deribit`);
  }
  const exchange = new ExchangeClass({
    enableRateLimit: config.enableRateLimit ?? true,
    timeout: parseDuration(config.timeout),
    options: structuredClone(config.options),
    ...exchangeCredentials(id, env),
  });
  if (config.api !== undefined) {
    const current = exchange.urls.api as Record<string, string> | string;
    if (typeof config.api === 'string') {
      const base = config.api;
      exchange.urls.api = (typeof current === 'string' ? base : Object.fromEntries(Object.keys(current).map((k) => [k, base]))) as Exchange['urls']['api'];
    } else {
      exchange.urls.api = { ...(typeof current === 'string' ? {} : current), ...config.api };
    }
  }
  return exchange;
}
