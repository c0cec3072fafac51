import type { Command } from 'commander';
import type { Config, StoreConfig } from '../config/schema';
import { closeStoreClients, storeClient } from '../storage/client';
import { dataSummary, readOnlyQuery, type HeldSeries } from '../storage/data-view';
import { reachableStores, type UnreachableStore } from '../storage/replica-check';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';

/** Rows `data query` prints at most unless --limit says otherwise. */
const DEFAULT_QUERY_ROWS = 100;

interface DataOptions extends GlobalOptions {
  store?: string;
}

function storeNamed(config: Config, id: string | undefined): StoreConfig {
  const store = id === undefined ? config.stores[0] : config.stores.find((s) => s.id === id);
  if (!store) throw new UsageError(`--store '${id}': unknown store; use one of ${config.stores.map((s) => s.id).join(', ')}`);
  return store;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_QUERY_ROWS;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new UsageError(`--limit '${text}' is not a row count; give a whole number like 100`);
  return Number(text);
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A JSON value as a table cell: text as is, null as NULL, arrays and objects as JSON. */
const cell = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * ClickHouse's exception text, first line, without its wrapping: "Code: N, e.displayText() = DB::Exception: " in
 * front, ", e.what() = DB::Exception" (18.16) or " (version …)" (current releases) behind.
 */
function storeMessage(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return text
    .replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, '')
    .replace(/, e\.what\(\) = DB::Exception$/, '')
    .replace(/ \(version [^)]*\)$/, '')
    .replace(/\.$/, '');
}

export function registerData(program: Command): void {
  const data = program.command('data').description('look at the stored data: summary | query (docs/querying.md)');
  data
    .command('summary')
    .description('per store, exchange, data type and symbol: rows (one per natural key), first and last event time; exit 3 when a store does not answer')
    .option('--store <id>', 'only this store')
    .option('--json', 'print JSON')
    .action(async (_o: DataOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<DataOptions>();
      const config = configFrom(opts);
      const only = opts.store === undefined ? undefined : storeNamed(config, opts.store);
      const { reachable, unreachable } = await reachableStores(only ? { ...config, stores: [only] } : config);
      const stores: Array<{ store: string; series: HeldSeries[] }> = [];
      const failed: UnreachableStore[] = [...unreachable];
      try {
        for (const store of reachable) {
          try {
            stores.push({ store: store.id, series: await dataSummary(storeClient(store), store.database) });
          } catch (err) {
            failed.push({ store: store.id, error: storeMessage(err) });
          }
        }
      } finally {
        await closeStoreClients();
      }
      output(opts, { stores, unreachable: failed }, () => {
        const rows = stores.flatMap((s) => s.series.map((x) => [s.store, x.exchange, x.dataType, x.symbol, String(x.rows), iso(x.firstEventTime), iso(x.lastEventTime)]));
        const lines = rows.length ? [table([['STORE', 'EXCHANGE', 'TYPE', 'SYMBOL', 'ROWS', 'FIRST', 'LAST'], ...rows])] : ['no market data stored yet'];
        if (failed.length) lines.unshift(`not answering, left out: ${failed.map((f) => `${f.store} (${f.error})`).join(', ')}`);
        return lines.join('\n');
      });
      if (failed.length) process.exitCode = 3;
    });
  data
    .command('query <sql>')
    .description('run a read-only SQL query on one store (default: the first configured) and print the rows as a table')
    .option('--store <id>', 'the store to ask')
    .option('--limit <rows>', `print at most this many rows (default ${DEFAULT_QUERY_ROWS})`)
    .option('--json', 'print JSON: {columns, rows}')
    .addHelpText('after', '\nExample:\n  marketprism data query "SELECT exchange, symbol, count() FROM trades GROUP BY exchange, symbol"\nTables, columns, units and more examples: docs/querying.md')
    .action(async (sql: string, _o: DataOptions & { limit?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<DataOptions & { limit?: string }>();
      const config = configFrom(opts);
      const store = storeNamed(config, opts.store);
      const limit = parseLimit(opts.limit);
      if (sql.trim() === '') throw new UsageError('the query is empty; pass SQL like "SELECT count() FROM trades"');
      let result;
      try {
        result = await readOnlyQuery(storeClient(store), store.database, sql, limit);
      } catch (err) {
        const message = storeMessage(err);
        // the store refused the SQL (syntax, unknown table, a write): the operator's input; not answering is not
        if (/ECONNREFUSED|socket hang up|timed? ?out/i.test(message)) throw new Error(`${store.id} is not answering (${message}); check \`marketprism services status\``);
        throw new UsageError(`${store.id} refused the query: ${message}; only reads run here (SELECT, SHOW, DESCRIBE), and docs/querying.md lists the tables and columns`);
      } finally {
        await closeStoreClients();
      }
      if (result.truncated && !opts.json) process.stderr.write(`first ${result.rows.length} rows shown; --limit N for more\n`);
      output(opts, result, () => (result.rows.length ? table([result.columns, ...result.rows.map((r) => result.columns.map((c) => cell(r[c])))]) : `(no rows) ${result.columns.join(', ')}`));
    });
}
