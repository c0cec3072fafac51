import { DATA_TYPES, isDataType, type DataType } from '../domain/data-types';
import type { Config } from '../config/schema';
import { createExchange } from '../activities/exchange/client';
import { supportedTypes, supportsType } from '../activities/exchange/capabilities';
import { UsageError } from './context';

/** Parses --type (comma separated, or `all`) into data types, refusing unknown names. */
export function parseTypes(text: string): Array<DataType | 'all'> {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--type is empty; give one or more of ${DATA_TYPES.join(', ')} or all`);
  for (const name of names) {
    if (name !== 'all' && !isDataType(name)) throw new UsageError(`unknown data type '${name}'; use ${DATA_TYPES.join(', ')} or all`);
  }
  return names as Array<DataType | 'all'>;
}

/**
 * Checks a collector request against the exchange itself before anything starts: the exchange is
 * configured, ccxt serves the data types for it, and every symbol is listed. Returns the concrete types.
 */
export async function validateCollector(config: Config, exchangeId: string, types: Array<DataType | 'all'>, symbols: string[]): Promise<DataType[]> {
  const exchangeConfig = config.exchanges[exchangeId];
  if (!exchangeConfig) {
    throw new UsageError(`exchange '${exchangeId}' is not configured; add it under exchanges: (configured: ${Object.keys(config.exchanges).join(', ') || 'none'})`);
  }
  if (symbols.length === 0) throw new UsageError('--symbols is empty; give ccxt unified symbols like BTC/USDT:USDT');
  const exchange = createExchange(exchangeId, exchangeConfig);
  try {
    const concrete = types.includes('all') ? supportedTypes(exchange) : (types as DataType[]);
    for (const type of concrete) {
      if (!supportsType(exchange, type)) {
        throw new UsageError(`${exchangeId} does not offer ${type} through ccxt; it offers ${supportedTypes(exchange).join(', ')}`);
      }
    }
    const markets = await exchange.loadMarkets();
    for (const symbol of symbols) {
      if (!markets[symbol]) {
        const hint = Object.keys(markets).slice(0, 5).join(', ');
        throw new UsageError(`${exchangeId} does not list symbol '${symbol}'; use a ccxt unified symbol such as ${hint}`);
      }
    }
    return concrete;
  } finally {
    await exchange.close();
  }
}
