import { physicalColumns } from './columns';
import { qualified, sqlIdentifier } from './identifiers';
import { sortingKey, type TableDef } from './tables';

/** CREATE TABLE IF NOT EXISTS for a declared table; SQL that runs on 18.16 and current releases. */
export function createTableSql(database: string, def: TableDef): string {
  const columns = [...def.fields, ...def.stamps].flatMap((f) =>
    physicalColumns(f.kind, sqlIdentifier(f.column, 'column')).map((c) => `  ${c.name} ${c.type}${c.serverDefault ? ` DEFAULT ${c.serverDefault}` : ''}`),
  );
  const aliases = def.aliases.map((a) => `  ${sqlIdentifier(a.name, 'column')} ${a.type} ALIAS ${a.expression}`);
  const engine = `ReplacingMergeTree${def.versionColumn ? `(${def.versionColumn})` : ''}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(database, def.name)} (`,
    [...columns, ...aliases].join(',\n'),
    `) ENGINE = ${engine}`,
    ...(def.partitionBy ? [`PARTITION BY ${def.partitionBy}`] : []),
    `ORDER BY (${sortingKey(def).join(', ')})`,
  ].join('\n');
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(database, 'database')}`;
}
