import type { ClickHouseClient } from '@clickhouse/client';
import type { Cursor } from '../domain/cursor';
import type { DataType } from '../domain/data-types';
import { qualified, sqlIdentifier } from './identifiers';
import { MARKET_TABLES } from './tables';

/**
 * Where a store's data of one exchange, data type and symbol ends, as a collector cursor: the newest event
 * time and the keys stored at that time. The key is the last column of the natural key (trade_id,
 * liquidation_id), or the time itself for one-per-instant series, as the fetch loop keys them
 * (src/exchange/fetch-loop.ts). A collector started from it back-fills from the exchange what came after
 * (docs/disaster-recovery.md). Values go into SQL only as checked literals.
 */
function literal(value: string): string {
  if (!/^[A-Za-z0-9/:_.-]{1,100}$/.test(value)) throw new Error(`'${value}' is not an exchange id or ccxt symbol`);
  return `'${value}'`;
}

export async function storedCursor(client: ClickHouseClient, database: string, dataType: DataType, exchange: string, symbol: string): Promise<Cursor | undefined> {
  const def = MARKET_TABLES[dataType];
  const keyColumn = sqlIdentifier(def.orderBy.at(-1) as string, 'column');
  const where = `exchange = ${literal(exchange)} AND symbol = ${literal(symbol)}`;
  const table = qualified(database, def.name);
  const query = `SELECT toString(event_time) AS t, toString(${keyColumn}) AS k FROM ${table} FINAL WHERE ${where} AND event_time = (SELECT max(event_time) FROM ${table} WHERE ${where})`;
  const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<{ t: string; k: string }>();
  if (rows.length === 0) return undefined;
  const lastTime = Number(rows[0].t);
  return { lastTime, idsAtLastTime: keyColumn === 'event_time' ? [String(lastTime)] : [...new Set(rows.map((r) => r.k))].sort() };
}
