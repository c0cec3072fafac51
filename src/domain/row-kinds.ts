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

const LSR_KINDS = { longShortRatio: 'float64', longAccount: 'nullableFloat64', shortAccount: 'nullableFloat64', period: 'string' } as const;

/**
 * The kind of every own field of every market row, in table (checksum) order. Declared here, once: the store's
 * columns (src/storage/tables.ts) and the normalizers' checks (row-problems.ts) both read it. A value the
 * exchange does not give is a nullable kind holding null, never 0.
 */
export const ROW_KINDS: { readonly [T in DataType]: KindsOf<Omit<RowOf<T>, keyof RowBase>> } = {
  trades: { tradeId: 'string', price: 'float64', amount: 'float64', side: 'string' },
  orderbook: { bids: 'levels', asks: 'levels', depth: 'uint32' },
  funding_rate: { fundingRate: 'float64', fundingTime: 'nullableUint64', markPrice: 'nullableFloat64', indexPrice: 'nullableFloat64' },
  open_interest: { openInterestAmount: 'nullableFloat64', openInterestValue: 'nullableFloat64' },
  liquidations: { side: 'nullableString', price: 'nullableFloat64', amount: 'nullableFloat64', baseValue: 'nullableFloat64', liquidationId: 'string' },
  lsr_top_position: LSR_KINDS,
  lsr_all_account: LSR_KINDS,
  volatility_index: { value: 'float64', resolution: 'string' },
  ticker: { last: 'nullableFloat64', bid: 'nullableFloat64', ask: 'nullableFloat64', baseVolume: 'nullableFloat64', quoteVolume: 'nullableFloat64' },
};
