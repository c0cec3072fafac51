import type { MarketInterface as Market } from 'ccxt';
import type { DataType, MarketType } from '../../domain/data-types';
import { rowProblem } from '../../domain/row-problems';
import type { RowBase, RowOf } from '../../domain/rows';

/** A raw exchange item that could not be normalized: kept with its payload, never stored as zeros. */
export interface Rejected {
  reason: string;
  raw: unknown;
}

export type Normalized<R> = { ok: true; row: R } | { ok: false; rejected: Rejected };

export class MalformedItem extends Error {}

/** A finite number, or a MalformedItem naming the field. */
export function num(value: unknown, field: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new MalformedItem(`${field} is ${JSON.stringify(value) ?? 'undefined'}, not a finite number`);
  return n;
}

export function optionalNum(value: unknown, field: string): number | null {
  return value === undefined || value === null ? null : num(value, field);
}

export function str(value: unknown, field: string): string {
  if ((typeof value !== 'string' || value === '') && typeof value !== 'number') throw new MalformedItem(`${field} is missing`);
  return String(value);
}

export function marketType(market: Market): MarketType {
  return (market.type === 'spot' || market.type === 'swap' || market.type === 'future' || market.type === 'option' ? market.type : 'spot') as MarketType;
}

export function base(exchange: string, market: Market, eventTime: unknown, receiveTime: number): RowBase {
  return {
    exchange,
    marketType: marketType(market),
    symbol: market.symbol as string,
    nativeSymbol: market.id as string,
    eventTime: num(eventTime, 'timestamp'),
    receiveTime,
  };
}

/**
 * Runs a mapper, turning a MalformedItem into a rejection and letting real bugs through. The mapped row is then
 * held to what the store accepts for `type` (src/domain/row-problems.ts: every field's bounds, the same the row
 * codec enforces, and plausible times against the receive time): a row the store would refuse is rejected here,
 * on its own, instead of failing its whole batch at insert time.
 */
export function normalizeWith<T extends DataType, I>(type: T, mapper: (item: I) => RowOf<T>, item: I, raw: unknown): Normalized<RowOf<T>> {
  let row: RowOf<T>;
  try {
    row = mapper(item);
  } catch (err) {
    if (err instanceof MalformedItem) return { ok: false, rejected: { reason: err.message, raw } };
    throw err;
  }
  const problem = rowProblem(type, row);
  return problem === undefined ? { ok: true, row } : { ok: false, rejected: { reason: problem, raw } };
}

/** Raw time fields exchanges put on snapshots that ccxt does not always lift into `timestamp`. */
const RAW_TIME_FIELDS = ['ts', 'time', 'timestamp', 'T', 'E'] as const;

/**
 * A snapshot's event time: ccxt's timestamp, else the exchange's own time field in the raw item, else
 * the receive time (binance spot books and bybit tickers carry no time at all; docs/collection.md).
 */
export function snapshotTime(timestamp: unknown, info: unknown, receiveTime: number): number {
  if (timestamp !== undefined && timestamp !== null) return num(timestamp, 'timestamp');
  if (info !== null && typeof info === 'object') {
    for (const field of RAW_TIME_FIELDS) {
      const value = (info as Record<string, unknown>)[field];
      if (value !== undefined && value !== null && value !== '') return num(value, `info.${field}`);
    }
  }
  return receiveTime;
}

/** A value ccxt left undefined when the exchange does not send it: null, never 0. A present value must be finite. */
export function nullable(value: unknown, field: string): number | null {
  return optionalNum(value, field);
}
