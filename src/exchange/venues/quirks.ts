import type { AmountUnit } from '../../domain/sizes';
import type { MarketInterface as Market, Trade } from 'ccxt';

/**
 * What one exchange does differently from ccxt's unified contract, in one place per exchange (venues/*.ts, as
 * tardis-node keeps one mapper per venue). An exchange without a file follows ccxt's unified behaviour.
 */
export interface VenueQuirks {
  /** how public trades are paged forward from a cursor (default: ccxt's `since`, 1000 per page) */
  tradePaging?: TradePagingQuirk;
  /**
   * Which number of a public trade counts up by exactly one per trade of the instrument, so that a jump is a
   * gap: 'id' (the trade id itself), or a number read from the raw trade. Absent: the exchange documents no such
   * number, and gaps are found only where a latest-only page does not reach back to the cursor.
   */
  tradeSequence?: 'id' | TradeSequenceQuirk;
  /** order book depths (levels per side) the exchange accepts for a market; absent: any whole number */
  orderBookDepths?(market: Market): AllowedValues;
  /** long/short ratio periods the exchange accepts, ccxt timeframe spelling; absent: ccxt's `exchange.timeframes` */
  ratioPeriods?: readonly string[];
  /** how liquidations after a cursor are asked for (default: ccxt's `since`) */
  liquidationPaging?: LiquidationPagingKind;
  /** the top traders' long/short position ratio, which ccxt has no unified method for */
  topPositionRatio?: ImplicitEndpoint;
  /**
   * The unit of a trade's amount (and open interest amount) as ccxt returns it for a market; absent: ccxt's
   * convention, contracts on contract markets and base currency on spot (src/exchange/normalize/sizes.ts).
   */
  amountUnit?(market: Market): AmountUnit;
}

/**
 * How to page an exchange's public trades forward from a cursor. ccxt unifies `since` but not id paging:
 *  - from-id: the exchange takes the first trade id wanted (`fromId`, ids >= it, oldest first)
 *  - okx-before: okx history-trades `before=<tradeId>` (the `limit` trades right after it)
 *  - since: ccxt's `since`
 *  - latest-only: no cursor parameter at all; each fetch sees the newest page only
 */
export type TradePagingKind = 'from-id' | 'okx-before' | 'since' | 'latest-only';

export interface TradePagingQuirk {
  kind: TradePagingKind;
  /** trades per request: the exchange's documented maximum for the endpoint */
  pageLimit(market: Market): number;
}

/** A per-instrument trade sequence number that is not the trade id (deribit: trade_seq). */
export interface TradeSequenceQuirk {
  /** the exchange's name for it, as gap reasons print it */
  name: string;
  read(trade: Trade): unknown;
}

/** Values an exchange accepts for a parameter: a list, or a whole-number range (inclusive). */
export type AllowedValues = { values: readonly number[] } | { min: number; max: number };

/**
 * - since: ccxt's unified `since` (the earliest time wanted)
 * - newest-back: the endpoint answers newest first from a LATEST time; page back with a continuation token
 */
export type LiquidationPagingKind = 'since' | 'newest-back';

/** An implicit ccxt API endpoint (still ccxt: same signing, rate limiter and error mapping). */
export interface ImplicitEndpoint {
  /** the implicit method's name on the ccxt exchange */
  method: string;
  request(market: Market, period: string, since: number | undefined): Record<string, unknown>;
  /** the response's items in the shape the exchange's ccxt parser for ratio history reads */
  items(response: unknown): unknown[];
}

export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
