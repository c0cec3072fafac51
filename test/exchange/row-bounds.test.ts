import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATA_TYPES, type DataType } from '../../src/domain/data-types';
import { ROW_BASE_KINDS, ROW_KINDS } from '../../src/domain/row-kinds';
import { EARLIEST_EVENT_TIME, rowProblem } from '../../src/domain/row-problems';
import type { RowOf } from '../../src/domain/rows';
import { INTEGER_BOUNDS, valueProblem, type ValueKind } from '../../src/domain/values';
import { normalizeWith } from '../../src/exchange/normalize/common';
import { BadRowError, encodeField } from '../../src/storage/columns';
import { toStoreRow } from '../../src/storage/row-codec';
import { MARKET_TABLES } from '../../src/storage/tables';
import { sampleRows } from '../storage/sample-rows';

/**
 * Issue D: every bound the row codec enforces is enforced by the normalizers too, per item, from one
 * declaration (src/domain/values.ts, row-kinds.ts). Table-driven over every field of every data type.
 */
const BAD: Record<ValueKind, unknown[]> = {
  string: [42, null, undefined, { s: 1 }],
  nullableString: [42, false, ['x']],
  uint64: [-1, 1.5, INTEGER_BOUNDS.uint64 + 1, NaN, '5', null, undefined],
  nullableUint64: [-1, 0.25, INTEGER_BOUNDS.uint64 + 1, Infinity, '5'],
  uint32: [-1, INTEGER_BOUNDS.uint32 + 1, 0.5, null, '7'],
  // Decimal(38, 18) holds |x| < 1e20 (exact-storage, src/storage/decimal-text.ts)
  decimal: [NaN, Infinity, -Infinity, 1e20, -1e20, '1.5', null, undefined],
  nullableDecimal: [NaN, -Infinity, 1e20, -1.5e308, '1.5', true],
  levels: ['x', null, [[1]], [[1, NaN]], [[1, 2, 3]], [['1', 2]], [1, 2], [[1e20, 1]], [[1, -1e21]]],
  float64: [NaN, Infinity, -Infinity, '1.5', null, undefined],
  nullableFloat64: [NaN, -Infinity, '1.5', true],
  floatLevels: ['x', null, [[1]], [[1, NaN]], [[1, 2, 3]], [['1', 2]], [1, 2]],
};

/** The largest double below 1e20: the largest magnitude Decimal(38, 18) takes. */
const DECIMAL_MAX = 99_999_999_999_999_983_616;

/** Values both accept (outside the time fields, whose plausibility the normalizers add on top). */
const GOOD: Record<ValueKind, unknown[]> = {
  string: ['', 'é✓'],
  nullableString: [null, ''],
  uint64: [0, INTEGER_BOUNDS.uint64],
  nullableUint64: [null, 0, INTEGER_BOUNDS.uint64],
  uint32: [0, INTEGER_BOUNDS.uint32],
  decimal: [-0, DECIMAL_MAX, -DECIMAL_MAX, 5e-324, 0.07 * 0.001],
  nullableDecimal: [null, 0, -2.5, DECIMAL_MAX],
  levels: [[], [[1, 0]], [[DECIMAL_MAX, 1e-8]]],
  float64: [-0, -1.5e308, 5e-324],
  nullableFloat64: [null, 0, -2.5],
  floatLevels: [[], [[1, 0]], [[1e300, 1]]],
};

const TIME_FIELDS = new Set(['eventTime', 'receiveTime', 'fundingTime']);

const stored = (type: DataType, row: object) => toStoreRow(MARKET_TABLES[type], { ...row, batchId: 'b', ingestTime: 1 });
const normalized = <T extends DataType>(type: T, row: RowOf<T>) => normalizeWith(type, () => row, { raw: true }, { raw: true });

describe('row bounds: the normalizers refuse exactly what the store would', () => {
  let cases = 0;
  for (const type of DATA_TYPES) {
    const kinds = { ...ROW_BASE_KINDS, ...ROW_KINDS[type] } as Record<string, ValueKind>;
    it(`${type}: every field (${Object.keys(kinds).length}) against every bound of its kind`, () => {
      const [good] = sampleRows(type, 1);
      assert.equal(normalized(type, good).ok, true, 'the sample row passes');
      assert.doesNotThrow(() => stored(type, good));
      for (const [field, kind] of Object.entries(kinds)) {
        for (const value of BAD[kind]) {
          const row = { ...good, [field]: value } as RowOf<typeof type>;
          assert.throws(() => stored(type, row), BadRowError, `the codec refuses ${type}.${field} = ${String(value)}`);
          const result = normalized(type, row);
          assert.equal(result.ok, false, `the normalizer rejects ${type}.${field} = ${String(value)}`);
          if (!result.ok) {
            // a bad receive time shows as an implausible event time
            assert.match(result.rejected.reason, new RegExp(`^(${field}${field === 'receiveTime' ? '|eventTime' : ''})\\b`), result.rejected.reason);
            assert.deepEqual(result.rejected.raw, { raw: true }, 'the raw item is kept');
          }
          cases++;
        }
        if (TIME_FIELDS.has(field)) continue;
        for (const value of GOOD[kind]) {
          const row = { ...good, [field]: value } as RowOf<typeof type>;
          assert.doesNotThrow(() => stored(type, row), `the codec takes ${type}.${field} = ${String(value)}`);
          assert.equal(normalized(type, row).ok, true, `the normalizer takes ${type}.${field} = ${String(value)}`);
        }
      }
    });
  }
  it('covered every kind', () => assert.ok(cases > 200, `${cases} cases`));

  // the legacy Float64 kinds are in no current table (only test stores of schema versions 1-3 use them)
  it('every value kind, the legacy ones too: valueProblem and the codec agree', () => {
    for (const kind of Object.keys(BAD) as ValueKind[]) {
      for (const value of BAD[kind]) {
        assert.notEqual(valueProblem(kind, value), undefined, `${kind} refuses ${String(value)}`);
        assert.throws(() => encodeField(kind, 'c', value, 'c'), BadRowError, `the codec refuses ${kind} ${String(value)}`);
      }
      for (const value of GOOD[kind]) {
        assert.equal(valueProblem(kind, value), undefined, `${kind} takes ${String(value)}`);
        assert.doesNotThrow(() => encodeField(kind, 'c', value, 'c'), `the codec takes ${kind} ${String(value)}`);
      }
    }
  });
});

describe('time plausibility against the receive time (units are refused, never converted)', () => {
  const received = Date.UTC(2025, 0, 15, 12, 0, 0);
  const [trade] = sampleRows('trades', 1);
  const at = (eventTime: number) => rowProblem('trades', { ...trade, eventTime, receiveTime: received });
  for (const [what, time, reason] of [
    ['nanoseconds', received * 1_000_000, /^eventTime = \d+: not an epoch-ms time \(nanoseconds\?\)/],
    ['microseconds', received * 1_000, /\(microseconds\?\)/],
    ['seconds', Math.floor(received / 1_000), /\(seconds\?\)/],
    ['before 2009-01-03', EARLIEST_EVENT_TIME - 1, /not an epoch-ms time; expected between 2009-01-03/],
    ['10 min after receipt', received + 10 * 60_000, /expected between .* and 5 min after receipt/],
  ] as const) {
    it(`refuses an event time in ${what}`, () => assert.match(at(time) ?? '', reason));
  }
  it('takes the first Bitcoin day and clock skew up to 5 minutes', () => {
    assert.equal(at(EARLIEST_EVENT_TIME), undefined);
    assert.equal(at(received + 4 * 60_000), undefined);
  });
  it('takes a next funding time 8 h ahead, refuses one 30 days ahead or in µs', () => {
    const [rate] = sampleRows('funding_rate', 1);
    const funding = (fundingTime: number | null) => rowProblem('funding_rate', { ...rate, eventTime: received, receiveTime: received, fundingTime });
    assert.equal(funding(received + 8 * 3_600_000), undefined);
    assert.equal(funding(null), undefined, 'absent is null');
    assert.match(funding(received + 30 * 86_400_000) ?? '', /^fundingTime = .*7 days after receipt/);
    assert.match(funding(received * 1_000) ?? '', /microseconds/);
  });
});
