/**
 * The kinds of market data MarketPrism collects. Each one has its own ClickHouse table
 * (see src/storage/tables.ts) and its own fetch activity (src/activities/exchange).
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

export function isDataType(value: string): value is DataType {
  return (DATA_TYPES as readonly string[]).includes(value);
}

/** Exchanges the project is tested against (through the simulator); any ccxt exchange id is accepted in config. */
export const KNOWN_EXCHANGES = ['okx', 'binance', 'binanceusdm', 'bybit', 'deribit'] as const;
export type KnownExchange = (typeof KNOWN_EXCHANGES)[number];

/** Market types as ccxt names them. */
export type MarketType = 'spot' | 'swap' | 'future' | 'option';
