import type { ClickHouseClient } from '@clickhouse/client';
import { createTableSql } from './ddl';
import { physicalColumns } from './columns';
import { qualified, sqlIdentifier } from './identifiers';
import { sortingKey, type TableDef } from './tables';

/**
 * Giving an existing table its declared sorting key. ClickHouse 18.16 cannot change a sorting key with ALTER
 * (current releases can only append new columns to it), so the table is rebuilt:
 *
 *   1. CREATE <t>__rekey from the declaration, then in one statement RENAME <t> TO <t>__old_key, <t>__rekey TO <t>:
 *      from here on every write lands in the new table;
 *   2. copy <t>__old_key into <t>, one day partition per INSERT … SELECT (a large day in slices of its time range);
 *   3. DROP <t>__old_key.
 *
 * Every step can be interrupted and the whole run repeated (or run by two processes at once): the state is read
 * from system.tables each time. <t>__old_key exists exactly while its rows may not all be in <t> yet, and it is
 * dropped only by a run that copied all of it. Copying a day twice is harmless: the copies have the same sorting
 * key as the rows they repeat (natural key and batch id) and are one row after merges and for every reader
 * (src/storage/per-key.ts). A crash between the two renames (18.16 renames one table after the other) leaves no
 * <t>: the next run renames <t>__rekey into place, or creates <t> afresh. While the copy runs, old rows are not
 * yet in <t>: a batch read from this store may come up short (copyBatch then takes another source), and a worker
 * that migrates before reading (SchemaGuard) waits for the copy.
 */

export const REKEY_SUFFIX = '__rekey';
/**
 * Rows per INSERT … SELECT at most (about 4 s at the 1.4 million rows/s measured on the 2-core dev machine, well
 * inside the store client's 30 s request timeout): a day holding more is copied in slices of its time range.
 */
export const COPY_SLICE_ROWS = 5_000_000;
export const OLD_KEY_SUFFIX = '__old_key';

export interface RekeyResult {
  table: string;
  /** false when the table already had the declared sorting key and nothing was left to copy */
  rebuilt: boolean;
  /** rows read from the old table (a day copied twice counts twice) */
  rowsCopied: number;
  /** day partitions copied */
  days: number;
  /** INSERT … SELECT statements run (a day larger than the slice is more than one) */
  statements: number;
}

interface TableState {
  sortingKey: string;
}

async function tables(client: ClickHouseClient, database: string, names: string[]): Promise<Map<string, TableState>> {
  const list = names.map((n) => `'${sqlIdentifier(n, 'table')}'`).join(', ');
  const result = await client.query({
    query: `SELECT name, sorting_key FROM system.tables WHERE database = '${sqlIdentifier(database, 'database')}' AND name IN (${list})`,
    format: 'JSONEachRow',
  });
  return new Map((await result.json<{ name: string; sorting_key: string }>()).map((r) => [r.name, { sortingKey: r.sorting_key }]));
}

async function exec(client: ClickHouseClient, sql: string): Promise<void> {
  await client.command({ query: sql });
}

/** The declared physical columns the old table has too (a later migration may have declared more). */
async function sharedColumns(client: ClickHouseClient, database: string, def: TableDef, oldName: string): Promise<string[]> {
  const result = await client.query({
    query: `SELECT name FROM system.columns WHERE database = '${sqlIdentifier(database, 'database')}' AND table = '${sqlIdentifier(oldName, 'table')}' AND default_kind != 'ALIAS'`,
    format: 'JSONEachRow',
  });
  const present = new Set((await result.json<{ name: string }>()).map((r) => r.name));
  return [...def.fields, ...def.stamps].flatMap((f) => physicalColumns(f.kind, f.column).map((c) => c.name)).filter((c) => present.has(c));
}

/** The old table's day partitions (YYYYMMDD), as epoch-ms ranges of the time column; null = one unpartitioned copy. */
async function dayRanges(client: ClickHouseClient, database: string, oldName: string): Promise<Array<[number, number]> | null> {
  const result = await client.query({
    query: `SELECT DISTINCT partition FROM system.parts WHERE database = '${sqlIdentifier(database, 'database')}' AND table = '${sqlIdentifier(oldName, 'table')}' AND active ORDER BY partition`,
    format: 'JSONEachRow',
  });
  const partitions = (await result.json<{ partition: string }>()).map((r) => r.partition);
  if (!partitions.every((p) => /^\d{8}$/.test(p))) return null;
  return partitions.map((p) => {
    const start = Date.UTC(Number(p.slice(0, 4)), Number(p.slice(4, 6)) - 1, Number(p.slice(6, 8)));
    return [start, start + 86_400_000];
  });
}

/**
 * Gives `def`'s table the sorting key declared for it (sortingKey in tables.ts), keeping every row; a no-op when
 * it has it already. `timeColumn` is the epoch-ms column its day partitions follow (the copy goes day by day, a
 * day of more than `sliceRows` rows in slices of its time range).
 * Throws what ClickHouse throws; the caller runs it again (see above).
 */
export async function rekeyTable(client: ClickHouseClient, database: string, def: TableDef, timeColumn: string, sliceRows = COPY_SLICE_ROWS): Promise<RekeyResult> {
  const name = def.name;
  const fresh = `${name}${REKEY_SUFFIX}`;
  const old = `${name}${OLD_KEY_SUFFIX}`;
  const want = sortingKey(def).join(', ');
  const result: RekeyResult = { table: name, rebuilt: false, rowsCopied: 0, days: 0, statements: 0 };
  let state = await tables(client, database, [name, fresh, old]);

  const current = state.get(name);
  if (current && current.sortingKey !== want && !state.has(old)) {
    await exec(client, createTableSql(database, { ...def, name: fresh }));
    try {
      await exec(client, `RENAME TABLE ${qualified(database, name)} TO ${qualified(database, old)}, ${qualified(database, fresh)} TO ${qualified(database, name)}`);
    } catch (err) {
      // another run renamed first (the old-key table exists now, or our new table is gone): the state says what is left
      state = await tables(client, database, [name, fresh, old]);
      if (!state.has(old)) throw err;
    }
    state = await tables(client, database, [name, fresh, old]);
  }
  if (!state.has(name)) {
    // interrupted between the two renames: put the new table in place
    if (state.has(fresh)) await exec(client, `RENAME TABLE ${qualified(database, fresh)} TO ${qualified(database, name)}`);
    else await exec(client, createTableSql(database, def));
    state = await tables(client, database, [name, fresh, old]);
  }
  if (state.has(old)) {
    result.rebuilt = true;
    const columns = (await sharedColumns(client, database, def, old)).map((c) => sqlIdentifier(c, 'column')).join(', ');
    const ranges = await dayRanges(client, database, old);
    const time = sqlIdentifier(timeColumn, 'column');
    const count = async (where: string): Promise<number> => {
      const counted = await client.query({ query: `SELECT toString(count()) AS n FROM ${qualified(database, old)}${where}`, format: 'JSONEachRow' });
      return Number((await counted.json<{ n: string }>())[0].n);
    };
    const copy = async (where: string): Promise<void> => {
      await exec(client, `INSERT INTO ${qualified(database, name)} (${columns}) SELECT ${columns} FROM ${qualified(database, old)}${where}`);
      result.statements += 1;
    };
    const range = (from: number, to: number): string => ` WHERE ${time} >= ${from} AND ${time} < ${to}`;
    if (!ranges) {
      result.rowsCopied += await count('');
      await copy('');
      result.days += 1;
    }
    for (const [from, to] of ranges ?? []) {
      const rows = await count(range(from, to));
      // a large day goes in slices, so no statement runs into the client's request timeout
      const slices = Math.max(1, Math.ceil(rows / sliceRows));
      const step = Math.ceil((to - from) / slices);
      for (let at = from; at < to; at += step) await copy(range(at, Math.min(at + step, to)));
      result.rowsCopied += rows;
      result.days += 1;
    }
    await exec(client, `DROP TABLE IF EXISTS ${qualified(database, old)}`);
  }
  // a leftover of a run that lost the race to rename, or of an interrupted one: never holds rows
  await exec(client, `DROP TABLE IF EXISTS ${qualified(database, fresh)}`);
  const final = (await tables(client, database, [name])).get(name);
  if (final?.sortingKey !== want) throw new Error(`rekey ${qualified(database, name)}: sorting key is (${final?.sortingKey ?? 'no table'}) after rebuilding, expected (${want})`);
  return result;
}
