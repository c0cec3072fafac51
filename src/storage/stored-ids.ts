import type { ClickHouseClient } from '@clickhouse/client';
import { plainLiteral, qualified } from './identifiers';
import { MARKET_TABLES } from './tables';

/**
 * The trade ids one store holds for a symbol in a time range (inclusive, epoch ms), whatever batch holds them:
 * what a backfill must not store again, and what its contiguity check counts. Plain reads of the natural key
 * (no FINAL): a trade held by two batches is one id here.
 */
export interface StoredIdsQuery {
  exchange: string;
  symbol: string;
  fromTime: number;
  toTime: number;
}

export async function storedTradeIds(client: ClickHouseClient, database: string, q: StoredIdsQuery): Promise<string[]> {
  if (!Number.isSafeInteger(q.fromTime) || !Number.isSafeInteger(q.toTime)) throw new Error(`storedTradeIds: times must be whole epoch ms (got ${q.fromTime}, ${q.toTime})`);
  const query = [
    `SELECT DISTINCT trade_id FROM ${qualified(database, MARKET_TABLES.trades.name)}`,
    `WHERE exchange = ${plainLiteral(q.exchange, 'exchange')} AND symbol = ${plainLiteral(q.symbol, 'symbol')}`,
    `AND event_time >= ${q.fromTime} AND event_time <= ${q.toTime}`,
  ].join(' ');
  const result = await client.query({ query, format: 'JSONEachRow' });
  return (await result.json<{ trade_id: string }>()).map((r) => r.trade_id);
}
