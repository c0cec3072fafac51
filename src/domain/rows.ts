import type { DataType, MarketType } from './data-types';

/**
 * Canonical rows, as stored. Every row carries where it came from and when; numbers are numbers.
 * Times are epoch milliseconds (UInt64 in ClickHouse, see "Compatibility floor" in docs).
 * `batchId` and `ingestTime` are stamped by the write path, not by the normalizers.
 */
export interface RowBase {
  exchange: string;
  marketType: MarketType;
  /** ccxt unified symbol, e.g. BTC/USDT:USDT */
  symbol: string;
  /** exchange-native instrument id, e.g. BTC-USDT-SWAP */
  nativeSymbol: string;
  /** when the exchange says the event happened */
  eventTime: number;
  /** when MarketPrism received it */
  receiveTime: number;
}

/**
 * Contract size and the size in base and quote currency, beside an amount stated in the exchange's own unit
 * (src/domain/sizes.ts). Null in rows stored before schema version 7, and where a size needs a price none gives.
 */
export interface SizeFields {
  /** base units (linear) or quote units (inverse) per contract; null for spot */
  contractSize: number | null;
  /** the size in base currency */
  baseAmount: number | null;
  /** the size in quote currency (notional) */
  quoteAmount: number | null;
}

export interface TradeRow extends RowBase, SizeFields {
  tradeId: string;
  price: number;
  /** in the exchange's unit: base (spot, binance USD-M), contracts (okx swaps) or quote (deribit inverse, USD) */
  amount: number;
  side: 'buy' | 'sell';
}

export interface OrderBookRow extends RowBase {
  /** top-N levels as [price, amount] pairs, best first */
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
  depth: number;
  /** the contract size the level amounts are counted in (as trades' amounts); null for spot */
  contractSize: number | null;
}

export interface FundingRateRow extends RowBase {
  fundingRate: number;
  /** next funding time, epoch ms; null when the exchange does not say (rows stored before schema version 6 hold 0) */
  fundingTime: number | null;
  markPrice: number | null;
  indexPrice: number | null;
}

export interface OpenInterestRow extends RowBase {
  /** in the exchange's unit (contracts on okx, base on binance USD-M), as ccxt reports it */
  openInterestAmount: number | null;
  /** in quote currency, as the exchange reports it */
  openInterestValue: number | null;
  /** as TradeRow's; null for spot */
  contractSize: number | null;
  /** the amount in base currency; null where only a quote value is given (deribit's inverse perpetuals) */
  baseAmount: number | null;
}

/**
 * A forced close. Deribit's public feed (bankruptcy settlements) says only when and how much in base currency,
 * so side, price and amount are null there; at least one of amount and baseValue is always present.
 */
export interface LiquidationRow extends RowBase {
  /** side of the liquidation order; null when the exchange does not say */
  side: 'buy' | 'sell' | null;
  /** bankruptcy/fill price; null when the exchange does not say */
  price: number | null;
  /** size in contracts (the exchange's amount unit); null when the exchange gives only a base-currency value */
  amount: number | null;
  /** size in base currency, as the exchange reports it; null when it reports only contracts */
  baseValue: number | null;
  /** natural key: the exchange's id where given, else a hash of time, side, price and sizes */
  liquidationId: string;
}

export interface LongShortRatioRow extends RowBase {
  longShortRatio: number;
  longAccount: number | null;
  shortAccount: number | null;
  period: string;
}

export interface VolatilityIndexRow extends RowBase {
  value: number;
  resolution: string;
}

export interface TickerRow extends RowBase {
  /** last trade price; null when the instrument has not traded (an option without a trade yet, ccxt #626) */
  last: number | null;
  bid: number | null;
  ask: number | null;
  baseVolume: number | null;
  quoteVolume: number | null;
}

export interface RowsByType {
  trades: TradeRow;
  orderbook: OrderBookRow;
  funding_rate: FundingRateRow;
  open_interest: OpenInterestRow;
  liquidations: LiquidationRow;
  lsr_top_position: LongShortRatioRow;
  lsr_all_account: LongShortRatioRow;
  volatility_index: VolatilityIndexRow;
  ticker: TickerRow;
}

export type RowOf<T extends DataType> = RowsByType[T];

export type AnyRow = RowsByType[DataType];

/* Bookkeeping rows: written by collectors through the same batches and quorum path as market rows. */

/** A time range a collector knows it could not collect. */
export interface CollectionGapRow {
  exchange: string;
  dataType: string;
  symbol: string;
  fromTime: number;
  toTime: number;
  reason: string;
  detectedAt: number;
}

/** An exchange item that could not be normalized, kept verbatim for inspection. */
export interface QuarantineRow {
  exchange: string;
  dataType: string;
  symbol: string;
  reason: string;
  /** the item as the exchange sent it, JSON */
  raw: string;
  receivedAt: number;
}
