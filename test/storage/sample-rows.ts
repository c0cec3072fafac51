import { sizesOf } from '../../src/domain/sizes';
import type { DataType } from '../../src/domain/data-types';
import type { RowBase, RowOf } from '../../src/domain/rows';

/**
 * Rows of every data type with distinct natural keys and awkward values (nulls, unicode, negative and tiny
 * floats, empty order book sides), for round-trip and checksum tests.
 */
const T0 = Date.UTC(2024, 0, 2, 23, 59, 58, 123);

function base(i: number, offset = 0): RowBase {
  return {
    exchange: 'okx',
    marketType: 'swap',
    symbol: i % 2 ? 'BTC/USDT:USDT' : 'ETH/USDT:USDT',
    nativeSymbol: i % 2 ? 'BTC-USDT-SWAP' : 'ETH-USDT-SWAP',
    eventTime: T0 + i * 1000 + offset,
    receiveTime: T0 + i * 1000 + offset + 17,
  };
}

const makers: { [T in DataType]: (i: number, offset: number) => RowOf<T> } = {
  // every third row as a spot trade (no contract size), the others as 0.01-base contracts; sizes as MarketPrism derives them
  trades: (i, o) => {
    const [price, amount] = [42_000.5 + i / 3, 0.001 * (i + 1)];
    const sizes = i % 3 ? sizesOf(amount, 'contracts', { contractSize: 0.01, inverse: false }, price) : sizesOf(amount, 'base', { contractSize: null, inverse: false }, price);
    return { ...base(i, o), tradeId: `t-${o}-${i}`, price, amount, side: i % 3 ? 'buy' : 'sell', ...sizes };
  },
  orderbook: (i, o) => ({
    ...base(i, o),
    bids: i === 1 ? [] : [[100.1 - i, 1.5], [100 - i, 2e-8]],
    asks: [[100.2 + i, 0.25]],
    depth: 2,
    contractSize: i % 2 ? 0.1 : null,
  }),
  // every third row: no next funding time (deribit's continuous funding), NULL
  funding_rate: (i, o) => ({ ...base(i, o), fundingRate: -0.000125 * (i + 1), fundingTime: i % 3 === 2 ? null : T0 + 8 * 3600_000, markPrice: i % 2 ? null : 42_001.25, indexPrice: 42_000 }),
  open_interest: (i, o) => ({ ...base(i, o), openInterestAmount: 1234.5 + i, openInterestValue: i % 2 ? null : 5.2e9, contractSize: i % 2 ? 0.1 : null, baseAmount: i % 2 ? 123.45 + i / 10 : null }),
  // odd rows are what deribit sends: no side, price or contracts, only a base-currency size
  liquidations: (i, o) =>
    i % 2
      ? { ...base(i, o), side: null, price: null, amount: null, baseValue: 0.01234567 * i, liquidationId: `liq-${o}-${i}` }
      : { ...base(i, o), side: 'sell', price: 41_000 - i, amount: 3, baseValue: null, liquidationId: `liq-${o}-${i}-é✓` },
  lsr_top_position: (i, o) => ({ ...base(i, o), longShortRatio: 1.25 + i, longAccount: 0.55, shortAccount: null, period: '5m' }),
  lsr_all_account: (i, o) => ({ ...base(i, o), longShortRatio: 0.8, longAccount: null, shortAccount: 0.45, period: '1h' }),
  volatility_index: (i, o) => ({ ...base(i, o), value: 55.5 + i * 0.1, resolution: '60' }),
  // every third row: an instrument that has not traded yet, last NULL with a bid and ask (ccxt #626)
  ticker: (i, o) => ({ ...base(i, o), last: i % 3 === 2 ? null : 42_000 + i, bid: 41_999.9, ask: i % 3 === 2 ? 42_000.1 : null, baseVolume: 0, quoteVolume: -0 }),
};

/** n rows of a data type; a different `offset` gives rows with other natural keys. */
export function sampleRows<T extends DataType>(type: T, n: number, offset = 0): Array<RowOf<T>> {
  return Array.from({ length: n }, (_, i) => makers[type](i, offset));
}
