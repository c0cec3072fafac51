import type { ClickHouseClient } from '@clickhouse/client';
import type { Cursor } from '../domain/cursor';
import type { DataType } from '../domain/data-types';
import { plainLiteral, qualified, sqlIdentifier } from './identifiers';
import { MARKET_TABLES } from './tables';

/**
 * Where collection stopped, read back from a store: per symbol, the newest stored event time and the keys of the
 * items stored at that time, which is what a collector's cursor holds (src/domain/cursor.ts). The key is the last
 * natural-key column: the trade or liquidation id, else the event time itself (one item per instant), as the
 * fetch loop keys items (src/exchange/fetch-loop.ts).
 */
export interface StoredCursorQuery {
  exchange: string;
  /** `symbol` column values (a volatility index is stored per currency) */
  symbols: string[];
  /** natural-key columns pinned to one value (a ratio's period, a volatility resolution) */
  series?: Record<string, string>;
}

/** The cursor key column of a market table: the last column of its natural key. */
export function cursorKeyColumn(table: DataType): string {
  const key = MARKET_TABLES[table].naturalKey;
  return key[key.length - 1];
}

/**
 * Per stored symbol that has rows: its cursor. Symbols without rows are absent. Rows of every batch count (a
 * natural key held by two batches is one key). Values are validated before they go into SQL text.
 */
export async function newestStored(client: ClickHouseClient, database: string, table: DataType, q: StoredCursorQuery): Promise<Map<string, Cursor>> {
  if (q.symbols.length === 0) return new Map();
  const def = MARKET_TABLES[table];
  const conditions = [
    `exchange = ${plainLiteral(q.exchange, 'exchange')}`,
    `symbol IN (${q.symbols.map((s) => plainLiteral(s, 'symbol')).join(', ')})`,
    ...Object.entries(q.series ?? {}).map(([column, value]) => {
      if (!def.naturalKey.includes(column)) throw new Error(`${table}: ${column} is not a natural-key column`);
      return `${sqlIdentifier(column, 'column')} = ${plainLiteral(value, column)}`;
    }),
  ].join(' AND ');
  const from = qualified(database, def.name);
  const key = sqlIdentifier(cursorKeyColumn(table), 'column');
  const query = [
    `SELECT symbol, toString(event_time) AS last_time, groupUniqArray(toString(${key})) AS ids FROM ${from}`,
    `WHERE ${conditions} AND (symbol, event_time) IN (SELECT symbol, max(event_time) FROM ${from} WHERE ${conditions} GROUP BY symbol)`,
    'GROUP BY symbol, event_time',
  ].join(' ');
  const result = await client.query({ query, format: 'JSONEachRow' });
  const rows = await result.json<{ symbol: string; last_time: string; ids: string[] }>();
  return new Map(rows.map((r) => [r.symbol, { lastTime: Number(r.last_time), idsAtLastTime: [...r.ids].sort() }]));
}
