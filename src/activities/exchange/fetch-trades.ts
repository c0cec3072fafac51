import type { Trade } from 'ccxt';
import type { Batch, TradeCursor, TradeCursors } from '../../domain/batch';
import type { TradeRow } from '../../domain/rows';
import type { ExchangePool } from './exchanges';
import { batchIdFor } from './batch-id';
import type { Rejected } from './normalize/common';
import { normalizeTrade } from './normalize/trades';

export interface FetchTradesInput {
  exchange: string;
  symbols: string[];
  cursors: TradeCursors;
  /** upper bound on rows per batch, so payloads stay well under Temporal's limits */
  maxRows: number;
}

export interface FetchTradesResult {
  batch: Batch<'trades'> | null;
  cursors: TradeCursors;
  rejected: Array<Rejected & { symbol: string }>;
}

/** Trades strictly after the cursor: later time, or the cursor's time with an id not yet seen. */
export function newerThan(cursor: TradeCursor | undefined, trade: TradeRow): boolean {
  if (!cursor) return true;
  if (trade.eventTime !== cursor.lastTime) return trade.eventTime > cursor.lastTime;
  return !cursor.idsAtLastTime.includes(trade.tradeId);
}

export function advance(cursor: TradeCursor | undefined, rows: TradeRow[]): TradeCursor | undefined {
  let next = cursor;
  for (const row of rows) {
    if (!next || row.eventTime > next.lastTime) next = { lastTime: row.eventTime, idsAtLastTime: [row.tradeId] };
    else if (row.eventTime === next.lastTime) next = { ...next, idsAtLastTime: [...next.idsAtLastTime, row.tradeId] };
  }
  return next;
}

export function fetchTradesActivity(pool: ExchangePool) {
  return async function fetchTrades(input: FetchTradesInput): Promise<FetchTradesResult> {
    const exchange = await pool.get(input.exchange);
    const rows: TradeRow[] = [];
    const rejected: FetchTradesResult['rejected'] = [];
    const cursors: TradeCursors = { ...input.cursors };
    for (const symbol of input.symbols) {
      const market = exchange.market(symbol);
      const cursor = cursors[symbol];
      const trades: Trade[] = await exchange.fetchTrades(symbol, cursor?.lastTime);
      const receiveTime = Date.now();
      const fresh: TradeRow[] = [];
      for (const trade of trades) {
        const result = normalizeTrade(input.exchange, market, trade, receiveTime);
        if (!result.ok) rejected.push({ ...result.rejected, symbol });
        else if (newerThan(cursor, result.row)) fresh.push(result.row);
      }
      fresh.sort((a, b) => a.eventTime - b.eventTime || a.tradeId.localeCompare(b.tradeId));
      const taken = fresh.slice(0, Math.max(0, input.maxRows - rows.length));
      rows.push(...taken);
      const next = advance(cursor, taken);
      if (next) cursors[symbol] = next;
    }
    return { batch: rows.length ? { batchId: batchIdFor('trades', rows), table: 'trades', rows } : null, cursors, rejected };
  };
}
