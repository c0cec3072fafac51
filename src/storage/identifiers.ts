/**
 * ClickHouse 18.16 has no query parameters, so values never go into SQL text (they travel as JSONEachRow
 * data) and every identifier that does is checked against this pattern first.
 */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class BadIdentifierError extends Error {
  override name = 'BadIdentifierError';
}

export function sqlIdentifier(value: string, what: string): string {
  if (!SQL_IDENTIFIER.test(value)) {
    throw new BadIdentifierError(`${what} '${value}' is not a valid ClickHouse name; use letters, digits and _ (starting with a letter or _)`);
  }
  return value;
}

/** database.table, both validated. */
export function qualified(database: string, table: string): string {
  return `${sqlIdentifier(database, 'database')}.${sqlIdentifier(table, 'table')}`;
}

/** camelCase TS field → snake_case ClickHouse column: eventTime → event_time. */
export function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Batch ids are the one value that appears in SQL text (WHERE batch_id = ...), so they have their own strict pattern. */
export const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9_.:\/@+=-]{0,199}$/;

export function batchIdLiteral(batchId: string): string {
  if (!BATCH_ID.test(batchId)) {
    throw new BadIdentifierError(`batch id '${batchId}' is not valid; use up to 200 letters, digits and _ . : / @ + = - (starting with a letter or digit)`);
  }
  return `'${batchId}'`;
}

/**
 * Other values that must appear in SQL text (a collector's exchange, symbols, ratio period), held to the batch
 * id pattern: ccxt unified symbols (BTC/USDT:USDT, BTC/USD:BTC-240329-60000-C) fit it, quotes and spaces do not.
 */
export function plainLiteral(value: string, what: string): string {
  if (typeof value !== 'string' || !BATCH_ID.test(value)) {
    throw new BadIdentifierError(`${what} '${String(value)}' cannot be looked up; use up to 200 letters, digits and _ . : / @ + = - (starting with a letter or digit)`);
  }
  return `'${value}'`;
}
