import type { MarketInterface as Market } from 'ccxt';
import type { MarketType } from '../../domain/data-types';
import type { RowBase } from '../../domain/rows';

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

/** Runs a mapper, turning a MalformedItem into a rejection and letting real bugs through. */
export function normalizeWith<I, R>(mapper: (item: I) => R, item: I, raw: unknown): Normalized<R> {
  try {
    return { ok: true, row: mapper(item) };
  } catch (err) {
    if (err instanceof MalformedItem) return { ok: false, rejected: { reason: err.message, raw } };
    throw err;
  }
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
