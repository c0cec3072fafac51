import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestCursors } from '../../src/domain/cursor';

describe('newestCursors (src/domain/cursor.ts): where several stores\' data ends, per symbol', () => {
  it('takes the newest time per symbol, merges the ids of stores that agree on it, and keeps symbols only one store has', () => {
    const primary = { 'BTC/USDT': { lastTime: 2_000, idsAtLastTime: ['7', '5'] }, 'ETH/USDT': { lastTime: 900, idsAtLastTime: ['1'] } };
    const lagging = { 'BTC/USDT': { lastTime: 1_000, idsAtLastTime: ['3'] } };
    const other = { 'BTC/USDT': { lastTime: 2_000, idsAtLastTime: ['6', '7'] }, 'SOL/USDT': { lastTime: 50, idsAtLastTime: ['50'] } };
    assert.deepEqual(newestCursors([lagging, primary, other]), {
      'BTC/USDT': { lastTime: 2_000, idsAtLastTime: ['5', '6', '7'] },
      'ETH/USDT': { lastTime: 900, idsAtLastTime: ['1'] },
      'SOL/USDT': { lastTime: 50, idsAtLastTime: ['50'] },
    });
    // the order the stores answered in does not matter, and no input is changed
    assert.deepEqual(newestCursors([other, primary, lagging]), newestCursors([lagging, primary, other]));
    assert.deepEqual(primary['BTC/USDT'].idsAtLastTime, ['7', '5']);
  });

  it('is empty when no store answered or none holds a row', () => {
    assert.deepEqual(newestCursors([]), {});
    assert.deepEqual(newestCursors([{}, {}]), {});
  });
});
