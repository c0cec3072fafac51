import type { Exchange } from 'ccxt';
import { DATA_TYPES, isDataType, type DataType } from '../domain/data-types';
import type { Config } from '../config/schema';
import { FETCH_OPTION_DEFAULTS, STORED_OPTIONS, type FetchOptions } from '../domain/fetch';
import { CURRENCY_TYPES, marketRefusal, supportedTypes, supportsType } from '../exchange/capabilities';
import { depthRefusal, periodRefusal } from '../exchange/collector-options';
import { parseSymbolSelector } from '../domain/symbol-selector';
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

/** Why `type` cannot be collected for `symbol` on this exchange (markets loaded), or undefined. */
function symbolRefusal(exchange: Exchange, type: DataType, symbol: string): string | undefined {
  const markets = exchange.markets ?? {};
  const market = markets[symbol];
  if (CURRENCY_TYPES.includes(type)) {
    // a currency code (BTC) or a market whose base currency is meant
    if (market || exchange.currencies?.[symbol]) return undefined;
    return `${exchange.id} lists neither a currency nor a market '${symbol}' for ${type}; use a currency code like BTC`;
  }
  if (!market) {
    const hint = Object.keys(markets).slice(0, 5).join(', ');
    return `${exchange.id} does not list symbol '${symbol}'; use a ccxt unified symbol such as ${hint}`;
  }
  return marketRefusal(type, market);
}

/**
 * Why the options cannot be used for `types` on this exchange (markets loaded), or undefined: the book depth
 * (given, or the default) must be one the exchange accepts for every symbol, and the ratio period one it accepts
 * for long/short ratios (venues/*.ts; ccxt #9076: binance futures refuse a depth of 25 on every request).
 */
function optionsRefusal(exchange: Exchange, types: readonly DataType[], symbols: string[], options: FetchOptions): string | undefined {
  const uses = (option: keyof FetchOptions): boolean => types.some((t) => STORED_OPTIONS[t].includes(option));
  if (uses('depth')) {
    const depth = options.depth ?? FETCH_OPTION_DEFAULTS.depth;
    for (const symbol of symbols) {
      const market = exchange.markets?.[symbol];
      const refusal = market && depthRefusal(exchange, market, depth);
      if (refusal) return `${options.depth === undefined ? 'the default depth' : '--depth'} ${depth} would be refused on every poll: ${refusal}; pass one of them with --depth`;
    }
  }
  if (uses('period')) {
    const period = options.period ?? FETCH_OPTION_DEFAULTS.period;
    const refusal = periodRefusal(exchange, period);
    if (refusal) return `${options.period === undefined ? 'the default period' : '--period'} ${period} would be refused on every poll: ${refusal}; pass one of them with --period`;
  }
  return undefined;
}

/**
 * Checks a collector request against the exchange itself before anything starts: the exchange is
 * configured, ccxt serves each data type for it, every symbol is listed and fits the type (no funding rate
 * for a spot market), and the options are values the exchange accepts. `all` means every type the exchange
 * offers for all the given symbols. Returns the concrete types; throws a UsageError (one line) otherwise.
 */
export async function validateCollector(config: Config, exchangeId: string, types: Array<DataType | 'all'>, symbols: string[], options: FetchOptions = {}): Promise<DataType[]> {
  const exchangeConfig = config.exchanges[exchangeId];
  if (!exchangeConfig) {
    throw new UsageError(`exchange '${exchangeId}' is not configured; add it under exchanges: (configured: ${Object.keys(config.exchanges).join(', ') || 'none'})`);
  }
  if (symbols.length === 0) throw new UsageError('--symbols is empty; give ccxt unified symbols like BTC/USDT:USDT');
  // ccxt takes a third of a second to load: only when a collector is checked, not for `collect --help`
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require: tsx resolves it from source too
  const { createExchange } = require('../exchange/client') as typeof import('../exchange/client');
  const exchange = createExchange(exchangeId, exchangeConfig);
  try {
    const explicit = types.filter((t): t is DataType => t !== 'all');
    for (const type of explicit) {
      if (!supportsType(exchange, type)) {
        throw new UsageError(`${exchangeId} does not offer ${type} through ccxt; it offers ${supportedTypes(exchange).join(', ')}`);
      }
    }
    await exchange.loadMarkets();
    for (const type of explicit) {
      for (const symbol of symbols) {
        const refusal = symbolRefusal(exchange, type, symbol);
        if (refusal) throw new UsageError(`cannot collect ${type} for ${symbol}: ${refusal}`);
      }
    }
    if (!types.includes('all')) return withOptionsChecked(exchange, explicit, symbols, options);
    for (const symbol of symbols) {
      if (!exchange.markets?.[symbol]) throw new UsageError(`cannot collect for ${symbol}: ${symbolRefusal(exchange, 'ticker', symbol)}`);
    }
    // `all`: the types the exchange offers that fit every symbol (a volatility index follows the base currency)
    const offered = supportedTypes(exchange).filter((t) => symbols.every((s) => symbolRefusal(exchange, t, s) === undefined));
    return withOptionsChecked(exchange, [...new Set([...offered, ...explicit])], symbols, options);
  } finally {
    await exchange.close();
  }
}

/**
 * Checks a selector collector request (--symbols all:swap) against the exchange: the selector's syntax, the
 * exchange configured, each type offered and taking markets (not currency codes), the selector taking at least
 * one active market for each type now, and the options acceptable for those markets. `all` types = those the
 * exchange offers for some selected market. Returns each type with the symbols it selects now; throws a
 * UsageError (one line) otherwise.
 */
export async function validateSelector(config: Config, exchangeId: string, types: Array<DataType | 'all'>, selectorText: string, options: FetchOptions = {}): Promise<Array<{ dataType: DataType; symbols: string[] }>> {
  let selector;
  try {
    selector = parseSymbolSelector(selectorText);
  } catch (err) {
    throw new UsageError(`--symbols: ${(err as Error).message}`);
  }
  const exchangeConfig = config.exchanges[exchangeId];
  if (!exchangeConfig) {
    throw new UsageError(`exchange '${exchangeId}' is not configured; add it under exchanges: (configured: ${Object.keys(config.exchanges).join(', ') || 'none'})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require: ccxt loads only when a collector is checked
  const { createExchange } = require('../exchange/client') as typeof import('../exchange/client');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- likewise
  const { selectedSymbols } = require('../exchange/market-symbols') as typeof import('../exchange/market-symbols');
  const exchange = createExchange(exchangeId, exchangeConfig);
  try {
    for (const type of types) {
      if (type !== 'all' && CURRENCY_TYPES.includes(type)) throw new UsageError(`${type} is collected per currency, not per market; list currency codes with --symbols (e.g. BTC,ETH)`);
      if (type !== 'all' && !supportsType(exchange, type)) throw new UsageError(`${exchangeId} does not offer ${type} through ccxt; it offers ${supportedTypes(exchange).join(', ')}`);
    }
    await exchange.loadMarkets();
    const wanted = types.includes('all') ? supportedTypes(exchange).filter((t) => !CURRENCY_TYPES.includes(t)) : (types as DataType[]);
    const out = wanted.map((dataType) => ({ dataType, symbols: selectedSymbols(exchange, dataType, selector) })).filter((t) => t.symbols.length > 0 || !types.includes('all'));
    const none = out.find((t) => t.symbols.length === 0);
    if (none || out.length === 0) {
      throw new UsageError(`${selectorText} takes no active ${exchangeId} market${none ? ` for ${none.dataType}` : ''} (of ${Object.keys(exchange.markets ?? {}).length} listed); widen the filters, e.g. all or all:swap`);
    }
    for (const t of out) withOptionsChecked(exchange, [t.dataType], t.symbols, options);
    return out;
  } finally {
    await exchange.close();
  }
}

function withOptionsChecked(exchange: Exchange, types: DataType[], symbols: string[], options: FetchOptions): DataType[] {
  const refusal = optionsRefusal(exchange, types, symbols, options);
  if (refusal) throw new UsageError(`cannot collect on ${exchange.id}: ${refusal}`);
  return types;
}
