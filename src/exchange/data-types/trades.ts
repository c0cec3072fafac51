import type { Exchange, Trade } from 'ccxt';
import { compareIds, lastIdOf, type Cursor } from '../../domain/cursor';
import type { TradeRow } from '../../domain/rows';
import type { DataTypeFetch, FreshItem } from '../fetch-loop';
import { normalizeTrade } from '../normalize/trades';
import { tradePaging, type TradePaging } from '../paging/trades';
import { quirksOf, type VenueQuirks } from '../venues';

const HOUR_MS = 3_600_000;
/** quiet hours stepped over in one page request at most (a week): the next fetch goes on from the same time */
const MAX_QUIET_HOURS = 168;

const isSequential = (id: string | undefined): id is string => id !== undefined && /^\d+$/.test(id);

/** How gap checks read an exchange's trade sequence (venues/*.ts, tradeSequence); undefined: none is known. */
export type TradeSequence = VenueQuirks['tradeSequence'];

/** A number as the exchange gave it (integer or decimal string), as a decimal string; anything else: undefined. */
function integerText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return undefined;
}

/** The trade's id and its per-instrument sequence number, readable even when the trade itself is malformed. */
export function tradePosition(trade: Trade, sequence: TradeSequence): { key?: string; seq?: string } {
  const key = typeof trade?.id === 'string' || typeof trade?.id === 'number' ? String(trade.id) : undefined;
  const seq = sequence === undefined ? undefined : sequence === 'id' ? integerText(key) : integerText(sequence.read(trade));
  return { ...(key !== undefined && { key }), ...(seq !== undefined && { seq }) };
}

/**
 * Whether the page's new trades (`fresh`, valid and quarantined, oldest first) start where the cursor ended.
 * Where the exchange numbers an instrument's trades one by one (`sequence`: okx and binance ids, deribit's
 * trade_seq; never deribit's trade_id, which is unique per currency), the lowest new number must be the
 * cursor's last + 1; a cursor written before it recorded a sequence (no lastSeq) cannot be checked that way
 * once, except where the sequence is the id itself. Without a sequence, a page from a latest-only endpoint must
 * reach back to the cursor's time, or trades in between may be lost.
 */
export function discontinuity(cursor: Cursor | undefined, fresh: readonly FreshItem[], oldestSeen: TradeRow | undefined, paging: TradePaging, sequence: TradeSequence): string | undefined {
  if (!cursor || fresh.length === 0) return undefined;
  if (sequence !== undefined) {
    const lastSeq = cursor.lastSeq ?? (sequence === 'id' ? lastIdOf(cursor) : undefined);
    const first = fresh.map((f) => f.seq).filter(isSequential).sort(compareIds)[0];
    if (isSequential(lastSeq) && first !== undefined) {
      const missing = BigInt(first) - BigInt(lastSeq) - 1n;
      const name = sequence === 'id' ? 'ids' : sequence.name;
      return missing > 0n ? `${missing} trades (${name} ${BigInt(lastSeq) + 1n}..${BigInt(first) - 1n}) are no longer served by the exchange` : undefined;
    }
  }
  if (!paging.forward && oldestSeen && oldestSeen.eventTime > cursor.lastTime) {
    return `the newest page starts at ${new Date(oldestSeen.eventTime).toISOString()}, after the last collected trade; trades in between may be lost`;
  }
  return undefined;
}

/**
 * Gap-free public trades: each symbol is paged forward from its cursor the way its exchange pages
 * (paging/trades.ts, venues/*.ts), deduplicated on trade id (the storage key: ids are unique per instrument on
 * every exchange, per currency on deribit), taken in id order where the exchange pages by id; where the exchange
 * no longer serves the trades right after the cursor, the range is recorded as a gap.
 */
export const TRADES: DataTypeFetch<'trades', Trade> = {
  table: 'trades',
  ccxtMethod: 'fetchTrades',
  async fetchPage(exchange: Exchange, symbol, cursor, input) {
    const request = tradePaging(exchange).request(cursor, exchange.market(symbol));
    let items = await exchange.fetchTrades(symbol, request.since, request.limit, request.params);
    // asked by time (a backfill's start on an id-paged exchange), binance answers one hour: step over quiet hours
    const end = Math.min(input.untilTime ?? Date.now(), Date.now());
    for (let since = request.since, steps = 0; items.length === 0 && since !== undefined && request.params.fromId === undefined && tradePaging(exchange).kind === 'from-id' && steps < MAX_QUIET_HOURS; steps++) {
      since += HOUR_MS;
      if (since >= end) break;
      items = await exchange.fetchTrades(symbol, since, request.limit, request.params);
    }
    return { items, full: items.length >= request.limit };
  },
  normalize: (exchange, symbol, trade, receiveTime) => normalizeTrade(exchange.id, exchange.market(symbol), trade, receiveTime),
  key: (row) => row.tradeId,
  pagesForward: (exchange) => tradePaging(exchange).forward,
  cursorOrder: (exchange) => tradePaging(exchange).order,
  position: (exchange, trade) => tradePosition(trade, quirksOf(exchange.id).tradeSequence),
  discontinuity: (exchange, cursor, fresh, oldestSeen) => discontinuity(cursor, fresh, oldestSeen, tradePaging(exchange), quirksOf(exchange.id).tradeSequence),
};
