import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withinBytes } from '../../src/exchange/fetch-loop';

describe('batch byte bound', () => {
  const row = (n: number) => ({ levels: 'x'.repeat(n) });
  const size = (r: object) => JSON.stringify(r).length;

  it('takes the longest prefix that fits', () => {
    const rows = [row(100), row(100), row(100)];
    assert.equal(withinBytes(rows, 2 * size(rows[0])).length, 2);
    assert.equal(withinBytes(rows, 10_000).length, 3);
    assert.equal(withinBytes(rows, size(rows[0]) - 1).length, 0);
  });

  it('always takes one row into an empty batch, so an oversized row cannot stall collection', () => {
    assert.equal(withinBytes([row(5_000), row(1)], 100, true).length, 1);
    assert.equal(withinBytes([row(5_000), row(1)], 100, false).length, 0);
  });
});
