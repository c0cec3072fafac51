import { decodeField, encodeField, physicalColumns, selectExpressions } from './columns';
import type { TableDef, TableField } from './tables';

/**
 * TS rows (camelCase) ↔ ClickHouse JSONEachRow rows (snake_case), derived from the table declaration.
 * Bad values fail with BadRowError naming the table, row index and field.
 */
function writtenFields(def: TableDef): TableField[] {
  return [...def.fields, ...def.stamps];
}

export function toStoreRow(def: TableDef, row: object, index = 0): Record<string, unknown> {
  const values = row as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of writtenFields(def)) Object.assign(out, encodeField(f.kind, f.column, values[f.field], `${def.name} row ${index}: ${f.field}`));
  return out;
}

export function fromStoreRow<R>(def: TableDef, raw: Record<string, unknown>): R {
  const out: Record<string, unknown> = {};
  for (const f of writtenFields(def)) out[f.field] = decodeField(f.kind, f.column, raw);
  return out as R;
}

/** The SELECT list that fromStoreRow reads. */
export function selectList(def: TableDef): string {
  return writtenFields(def)
    .flatMap((f) => selectExpressions(f.kind, f.column))
    .join(', ');
}

/** The columns an insert sends: every physical column but those the store fills (DEFAULT), in declaration order. */
export function insertedColumns(def: TableDef): string[] {
  return writtenFields(def)
    .flatMap((f) => physicalColumns(f.kind, f.column))
    .filter((c) => c.serverDefault === undefined)
    .map((c) => c.name);
}
