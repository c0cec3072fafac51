import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Batch } from '../../src/domain/batch';
import {
  copySummary,
  fetchSummary,
  formatMs,
  insertSummary,
  pollSleepSummary,
  quorumGraceSummary,
  quorumWaitSummary,
  retrySleepSummary,
  writeRoundSummary,
} from '../../src/workflows/summaries';

/** The one-line summaries workflows give their activities and timers (shown in the Temporal UI). Pure: no stack. */
const T = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const batch = { batchId: 'trades-3f2a', table: 'trades', rows: [{}, {}, {}] } as unknown as Batch;

describe('workflow summaries', () => {
  it('writes durations as the config does', () => {
    assert.deepEqual([250, 1_000, 1_500, 30_000, 60_000, 90_000, 120_000].map(formatMs), ['250ms', '1s', '1.5s', '30s', '1m', '90s', '2m']);
  });

  it('says what a fetch asks for: exchange, data type, symbols and where their cursors stand', () => {
    assert.equal(fetchSummary('okx', 'trades', ['BTC/USDT'], {}), 'fetch okx trades BTC/USDT from the start');
    assert.equal(fetchSummary('okx', 'trades', ['BTC/USDT'], { 'BTC/USDT': { lastTime: T, idsAtLastTime: ['1'] } }), 'fetch okx trades BTC/USDT from cursor 2026-01-02T03:04:05.678Z');
    const cursors = { 'BTC/USDT': { lastTime: T, idsAtLastTime: ['1'] }, 'ETH/USDT': { lastTime: T - 1_000, idsAtLastTime: ['2'] } };
    assert.equal(fetchSummary('okx', 'trades', ['BTC/USDT', 'ETH/USDT'], cursors), 'fetch okx trades BTC/USDT, ETH/USDT from cursors (oldest 2026-01-02T03:04:04.678Z)');
    assert.equal(
      fetchSummary('okx', 'ticker', ['A/USDT', 'B/USDT', 'BTC/USDT', 'C/USDT'], cursors),
      'fetch okx ticker A/USDT, B/USDT, BTC/USDT and 1 more from cursors (oldest 2026-01-02T03:04:05.678Z, some from the start)',
    );
  });

  it('says which batch goes where, and what each timer waits for', () => {
    assert.equal(insertSummary(batch, 'replica-1'), 'insert batch trades-3f2a (3 trades rows) into replica-1');
    assert.equal(pollSleepSummary(1_000, false), 'sleep 1s until the next poll');
    assert.equal(pollSleepSummary(1_000, true), 'sleep 1s, then fetch again after the failed fetch');
    assert.equal(quorumWaitSummary(batch, 2, 3, 30_000), 'wait up to 30s for 2 of 3 stores to hold batch trades-3f2a, then alert');
    assert.equal(quorumGraceSummary(batch, 5_000), 'give the other stores 5s to acknowledge batch trades-3f2a before leaving it to repair');
    assert.equal(writeRoundSummary('replica-2', 1, 2_000), 'sleep 2s, then insert round 2 into replica-2 (round 1 spent its retries)');
    assert.equal(retrySleepSummary(2_000, 'hint replica-2'), 'sleep 2s, then hint replica-2 again');
    assert.equal(copySummary('replica-2', 'trades-3f2a', ['primary', 'replica-1']), 'copy batch trades-3f2a into replica-2 from primary, replica-1');
  });
});
