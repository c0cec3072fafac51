import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retentionPlan } from '../../src/backup/retention';
import type { BackupSummary } from '../../src/backup/catalog';
import { backupIdAt } from '../../src/domain/backup';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 30);

/** A listing entry made `ageDays` before NOW. */
function b(ageDays: number, parent: BackupSummary | null, state: BackupSummary['state'] = 'verified'): BackupSummary {
  const createdAt = NOW - ageDays * DAY;
  return { backupId: backupIdAt(createdAt, ageDays / 100), parentId: parent?.backupId ?? null, kind: parent ? 'incremental' : 'full', keyId: 'k', createdAt, completedAt: createdAt, batches: 1, rows: 1, bytes: 1, state };
}

describe('retention plan (src/backup/retention.ts)', () => {
  it('deletes whole expired chains, keeps the parents a kept backup needs, and the newest good chain whatever its age', () => {
    const oldFull = b(40, null);
    const oldInc = b(39, oldFull);
    const midFull = b(35, null);
    const midInc1 = b(34, midFull);
    const midInc2 = b(29, midInc1); // within 30 days: needs midInc1 and midFull
    const newFull = b(2, null);
    const newInc = b(1, newFull);
    const list = [oldFull, oldInc, midFull, midInc1, midInc2, newFull, newInc];
    const plan = retentionPlan(list, { retentionMs: 30 * DAY, now: NOW });
    assert.deepEqual(plan.deleted, [oldFull.backupId, oldInc.backupId]);
    assert.deepEqual(plan.keptAsParents, [midFull.backupId, midInc1.backupId]);
    assert.equal(plan.kept, 5);
  });

  it('an expired bad backup goes; when every backup is expired the newest good chain stays', () => {
    const full = b(50, null);
    const inc = b(45, full);
    const bad = b(44, inc, 'bad');
    const plan = retentionPlan([full, inc, bad], { retentionMs: 30 * DAY, now: NOW });
    assert.deepEqual(plan.deleted, [bad.backupId]);
    assert.deepEqual(plan.keptAsParents, [full.backupId]);
  });

  it('a folder that never got its manifest goes once it is old enough to be no backup in progress', () => {
    const stale = { ...b(1, null), state: 'incomplete' as const, createdAt: 0 };
    const fresh = { ...b(0.01, null), state: 'incomplete' as const, createdAt: 0 };
    const plan = retentionPlan([stale, fresh], { retentionMs: 30 * DAY, now: NOW });
    assert.deepEqual(plan.incompleteRemoved, [stale.backupId]);
    assert.deepEqual(plan.deleted, []);
  });
});
