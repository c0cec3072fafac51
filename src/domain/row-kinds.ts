import type { DataType } from './data-types';
import type { RowBase, RowOf } from './rows';
import type { ValueKind } from './values';

/** One value kind per field of a row type, every field named (TypeScript refuses a missing one). */
export type KindsOf<R> = { [K in keyof R]-?: ValueKind };

/** Fields every market row carries (first in every market table). */
export const ROW_BASE_KINDS: KindsOf<RowBase> = {
  exchange: 'string',
  marketType: 'string',
  symbol: 'string',
  nativeSymbol: 'string',
  eventTime: 'uint64',
  receiveTime: 'uint64',
};

const LSR_KINDS = { longShortRatio: 'decimal', longAccount: 'nullableDecimal', shortAccount: 'nullableDecimal', period: 'string' } as const;

/**
 * The kind of every own field of every market row, in table (checksum) order. Declared here, once: the store's
 * columns (src/storage/tables.ts) and the normalizers' checks (row-problems.ts) both read it. A value the
 * exchange does not give is a nullable kind holding null, never 0.
 */
export const ROW_KINDS: { readonly [T in DataType]: KindsOf<Omit<RowOf<T>, keyof RowBase>> } = {
  trades: { tradeId: 'string', price: 'decimal', amount: 'decimal', side: 'string', contractSize: 'nullableDecimal', baseAmount: 'nullableDecimal', quoteAmount: 'nullableDecimal' },
  orderbook: { bids: 'levels', asks: 'levels', depth: 'uint32', contractSize: 'nullableDecimal' },
  funding_rate: { fundingRate: 'decimal', fundingTime: 'nullableUint64', markPrice: 'nullableDecimal', indexPrice: 'nullableDecimal' },
  open_interest: { openInterestAmount: 'nullableDecimal', openInterestValue: 'nullableDecimal', contractSize: 'nullableDecimal', baseAmount: 'nullableDecimal' },
  liquidations: { side: 'nullableString', price: 'nullableDecimal', amount: 'nullableDecimal', baseValue: 'nullableDecimal', liquidationId: 'string' },
  lsr_top_position: LSR_KINDS,
  lsr_all_account: LSR_KINDS,
  volatility_index: { value: 'decimal', resolution: 'string' },
  ticker: { last: 'nullableDecimal', bid: 'nullableDecimal', ask: 'nullableDecimal', baseVolume: 'nullableDecimal', quoteVolume: 'nullableDecimal' },
};
