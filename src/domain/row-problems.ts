import type { DataType } from './data-types';
import { ROW_BASE_KINDS, ROW_KINDS } from './row-kinds';
import type { RowOf } from './rows';
import { describeProblem, valueProblem, type ValueKind } from './values';

/**
 * The earliest event time a crypto market row can have: 2009-01-03, the first Bitcoin block. A smaller epoch-ms
 * value is a unit mistake (seconds read as ms), not an old event.
 */
export const EARLIEST_EVENT_TIME = Date.UTC(2009, 0, 3);

/**
 * How far a time may lie after the moment MarketPrism received it, per time field: an event time by clock
 * skew at most (5 min is far beyond the skew of a synced clock); a next funding time by up to a funding period
 * (8 h on okx, binance and bybit; 7 days leaves room for longer periods while still catching µs and ns).
 */
export const MAX_AHEAD_OF_RECEIPT_MS = {
  eventTime: 5 * 60_000,
  fundingTime: 7 * 86_400_000,
} as const;

type TimeField = keyof typeof MAX_AHEAD_OF_RECEIPT_MS;

/** Time fields of a data type beyond eventTime (RowBase). */
const OTHER_TIMES: Partial<Record<DataType, TimeField[]>> = { funding_rate: ['fundingTime'] };

const span = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} days` : `${ms / 60_000} min`);

/** What a too-large or too-small epoch-ms value most likely is, for the quarantine reason. */
function unitHint(time: number, receiveTime: number): string {
  const ratio = time / receiveTime;
  if (ratio > 1e5) return ' (nanoseconds?)';
  if (ratio > 1e2) return ' (microseconds?)';
  if (ratio < 1e-2 && ratio > 1e-4) return ' (seconds?)';
  return '';
}

/**
 * Why a time field is not a plausible epoch-ms value for an item received at `receiveTime`, or undefined.
 * Values in other units are refused, never converted: a seconds value is ambiguous with an old ms value, a
 * nanosecond value beyond 2^53 has already lost digits as a JS number, and an exchange that changes units is
 * worth seeing in the quarantine rather than silently repaired.
 */
export function timeProblem(field: TimeField, time: number, receiveTime: number): string | undefined {
  const latest = receiveTime + MAX_AHEAD_OF_RECEIPT_MS[field];
  if (time >= EARLIEST_EVENT_TIME && time <= latest) return undefined;
  const receipt = Number.isFinite(new Date(receiveTime).getTime()) ? new Date(receiveTime).toISOString() : String(receiveTime);
  return `${field} = ${time}: not an epoch-ms time${unitHint(time, receiveTime)}; expected between ${new Date(EARLIEST_EVENT_TIME).toISOString()} and ${span(MAX_AHEAD_OF_RECEIPT_MS[field])} after receipt (${receipt})`;
}

/**
 * Why `row` cannot be stored as a row of `type`, or undefined when it can: every time field against its
 * receive time, then every field against its kind (the bounds the store's row codec enforces, values.ts).
 * The normalizers quarantine such an item on its own, so the rest of its batch is stored.
 */
export function rowProblem<T extends DataType>(type: T, row: RowOf<T>): string | undefined {
  const values = row as unknown as Record<string, unknown>;
  // times first: a nanosecond time also breaks the integer bound, but "not an epoch-ms time" says why
  for (const field of ['eventTime', ...(OTHER_TIMES[type] ?? [])] as TimeField[]) {
    const time = values[field];
    // a bad receive time is reported as such by the kind checks below
    if (typeof time === 'number' && valueProblem('uint64', row.receiveTime) === undefined) {
      const problem = timeProblem(field, time, row.receiveTime);
      if (problem) return problem;
    }
  }
  const kinds = { ...ROW_BASE_KINDS, ...ROW_KINDS[type] } as Record<string, ValueKind>;
  for (const [field, kind] of Object.entries(kinds)) {
    const problem = valueProblem(kind, values[field]);
    if (problem) return describeProblem(field, problem);
  }
  return undefined;
}
