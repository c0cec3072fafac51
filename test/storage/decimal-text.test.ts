import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRowError } from '../../src/storage/columns';
import { decimalText, normalizeDecimal, plainShortest } from '../../src/storage/decimal-text';
import { jsonEachRow } from '../../src/storage/json-each-row';
import { toStoreRow } from '../../src/storage/row-codec';
import { MARKET_TABLES } from '../../src/storage/tables';

/** The decimal text a number is stored as (src/storage/decimal-text.ts). Pure: needs no store. */
describe('decimal text of stored numbers', () => {
  it("is the exchange's decimal for the issue's values, without exponent", () => {
    const cases: Array<[number, string]> = [
      [2.236, '2.236'],
      [1.118, '1.118'],
      [1.7091, '1.7091'],
      [1.1501, '1.1501'],
      [0.000001234, '0.000001234'],
      [1e-8, '0.00000001'],
      [2.5137e-8, '0.000000025137'],
      // 123456789.123456789 has more digits than a double: this is the double's shortest decimal
      [123456789.123456789, '123456789.12345679'],
      [123456789.12345679, '123456789.12345679'],
      [1e19, '10000000000000000000'],
      [-0.5, '-0.5'],
      [0, '0'],
      [-0, '0'],
    ];
    for (const [x, text] of cases) assert.equal(decimalText(x), text, String(x));
  });

  it('rounds float noise beyond 18 fractional digits to a value that reads back as itself', () => {
    assert.equal(plainShortest(0.07 * 0.001), '0.00007000000000000001');
    assert.equal(decimalText(0.07 * 0.001), '0.00007');
    assert.equal(decimalText(5e-19), '0.000000000000000001');
    assert.equal(decimalText(4e-19), '0');
    assert.equal(decimalText(-4e-19), '0');
    // a fixed point: reading the stored text back and writing it again never changes it (repair copies)
    let state = 12345;
    const random = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const x = Number(`${Math.floor(random() * 10 ** (1 + Math.floor(random() * 16)))}e${Math.floor(random() * 34) - 24}`) * (random() < 0.5 ? 0.07 : 1);
      if (Math.abs(x) >= 1e20) continue;
      const text = decimalText(x);
      assert.equal(decimalText(Number(text)), text, `${x} → ${text}`);
      assert.match(text, /^-?\d{1,20}(\.\d{0,17}[1-9])?$/);
    }
  });

  it('refuses what Decimal(38, 18) cannot hold, naming the row and field', () => {
    assert.throws(() => decimalText(1e20), /more than 20 integer digits/);
    assert.throws(() => decimalText(Number.NaN), RangeError);
    const row = { exchange: 'okx', marketType: 'spot', symbol: 'X/Y', nativeSymbol: 'X-Y', eventTime: 1, receiveTime: 2, tradeId: 't', price: 1e21, amount: 1, side: 'buy', batchId: 'b', ingestTime: 1 };
    assert.throws(() => toStoreRow(MARKET_TABLES.trades, row, 4), (err: Error) => err instanceof BadRowError && /^trades row 4: price = 1e\+21: .*Decimal\(38, 18\)/.test(err.message));
  });

  it('goes into the JSONEachRow body as a bare number, and normalizes like the SQL side', () => {
    const row = { exchange: 'okx', marketType: 'spot', symbol: 'X/Y', nativeSymbol: 'X-Y', eventTime: 1, receiveTime: 2, tradeId: 't', price: 1e-8, amount: 123456789.12345679, side: 'buy', batchId: 'b', ingestTime: 1 };
    assert.match(jsonEachRow([toStoreRow(MARKET_TABLES.trades, row)]), /"price":0\.00000001,"amount":123456789\.12345679,/);
    assert.equal(normalizeDecimal('2.236000000000000000'), '2.236');
    assert.equal(normalizeDecimal('10'), '10');
    assert.equal(normalizeDecimal('-0.000000000000000000'), '0');
  });
});
