import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { DATA_TYPES, type DataType } from '../domain/data-types';
import { qualified, sqlIdentifier } from './identifiers';
import { MARKET_TABLES } from './tables';

/**
 * Looking at the data as an operator does (`marketprism data summary|query`, docs/querying.md): what each store
 * holds per exchange, data type and symbol, and read-only SQL against one store.
 */

/** What a store holds of one exchange, data type and symbol. */
export interface HeldSeries {
  exchange: string;
  dataType: DataType;
  symbol: string;
  /** distinct natural keys (a trade fetched by two batches counts once) */
  rows: number;
  /** epoch ms of the first and the last event */
  firstEventTime: number;
  lastEventTime: number;
}

/**
 * Per market table, exchange and symbol: rows (one per natural key, as a batch-tables read should count them:
 * docs/storage.md) and the first and last event time. One GROUP BY per table; an empty table adds nothing.
 */
export async function dataSummary(client: ClickHouseClient, database: string): Promise<HeldSeries[]> {
  const out: HeldSeries[] = [];
  for (const dataType of DATA_TYPES) {
    const def = MARKET_TABLES[dataType];
    const key = def.naturalKey.map((c) => sqlIdentifier(c, 'column')).join(', ');
    const query = [
      'SELECT exchange, symbol, toString(count()) AS n, toString(min(t)) AS first, toString(max(t)) AS last FROM',
      `(SELECT exchange, symbol, any(event_time) AS t FROM ${qualified(database, def.name)} GROUP BY ${key})`,
      'GROUP BY exchange, symbol ORDER BY exchange, symbol',
    ].join(' ');
    const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<{ exchange: string; symbol: string; n: string; first: string; last: string }>();
    for (const r of rows) out.push({ exchange: r.exchange, dataType, symbol: r.symbol, rows: Number(r.n), firstEventTime: Number(r.first), lastEventTime: Number(r.last) });
  }
  return out.sort((a, b) => a.exchange.localeCompare(b.exchange) || DATA_TYPES.indexOf(a.dataType) - DATA_TYPES.indexOf(b.dataType) || a.symbol.localeCompare(b.symbol));
}

/** The result of a read-only query: column names in order, and rows as the store printed them (JSON values). */
export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** true when the query had more rows than were returned */
  truncated: boolean;
}

/**
 * Runs `sql` on a store read-only (`readonly = 2`: a write or DDL statement is refused by the store), with
 * `database` as the default database and at most `maxRows` rows returned (ClickHouse's `max_result_rows` with
 * `result_overflow_mode = 'break'` stops reading soon after, so a wide SELECT returns its first rows instead of
 * failing or reading everything). Store errors
 * propagate as the client throws them (the message names the cause).
 */
export async function readOnlyQuery(client: ClickHouseClient, database: string, sql: string, maxRows: number): Promise<QueryResult> {
  const result = await client.query({
    query: sql.trim().replace(/;\s*$/, ''),
    format: 'JSON',
    // readonly 2: reads only, while settings (these, the client's own) may still be set. `database` goes into the
    // request's URL parameters with the settings: the HTTP interface's default database for the query.
    clickhouse_settings: { database, max_result_rows: String(maxRows), result_overflow_mode: 'break', readonly: '2' } as ClickHouseSettings,
  });
  const body = await result.json<{ meta: Array<{ name: string }>; data: Array<Record<string, unknown>> }>();
  // the store stops at block granularity, so it may return a little more than asked
  return { columns: (body.meta ?? []).map((m) => m.name), rows: body.data.slice(0, maxRows), truncated: body.data.length > maxRows };
}
