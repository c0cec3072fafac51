/**
 * The kinds of market data MarketPrism collects. Each one has its own ClickHouse table
 * (src/storage/tables.ts), its own fetch spec (src/exchange/data-types) and fetch activity (FETCH_ACTIVITY).
 */
export const DATA_TYPES = [
  'trades',
  'orderbook',
  'funding_rate',
  'open_interest',
  'liquidations',
  'lsr_top_position',
  'lsr_all_account',
  'volatility_index',
  'ticker',
] as const;

export type DataType = (typeof DATA_TYPES)[number];

/**
 * The fetch activity of each data type: the names workflows schedule (the Temporal contract, so they never
 * change: histories recorded with them must replay). Built in src/activities/exchange.ts from the same table.
 */
export const FETCH_ACTIVITY = {
  trades: 'fetchTrades',
  orderbook: 'fetchOrderBook',
  funding_rate: 'fetchFundingRate',
  open_interest: 'fetchOpenInterest',
  liquidations: 'fetchLiquidations',
  lsr_top_position: 'fetchLsrTopPosition',
  lsr_all_account: 'fetchLsrAllAccount',
  volatility_index: 'fetchVolatilityIndex',
  ticker: 'fetchTicker',
} as const satisfies Record<DataType, string>;

export type FetchActivityName = (typeof FETCH_ACTIVITY)[DataType];

export function isDataType(value: string): value is DataType {
  return (DATA_TYPES as readonly string[]).includes(value);
}

/** Exchanges the project is tested against (through the simulator); any ccxt exchange id is accepted in config. */
export const KNOWN_EXCHANGES = ['okx', 'binance', 'binanceusdm', 'bybit', 'deribit'] as const;
export type KnownExchange = (typeof KNOWN_EXCHANGES)[number];

/** Market types as ccxt names them. */
export type MarketType = 'spot' | 'swap' | 'future' | 'option';

/** Types whose "symbol" is a currency (BTC), or a market whose base currency is meant. */
export const CURRENCY_TYPES: readonly DataType[] = ['volatility_index'];
