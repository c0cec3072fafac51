import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ArchiveWriter } from '../../src/backup/archive-writer';
import { listBackups } from '../../src/backup/catalog';
import { loadKeyring } from '../../src/backup/key';
import { openBackupStore } from '../../src/backup/open';
import { backupIdAt } from '../../src/domain/backup';
import { BACKUP_QUEUE, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { closeStoreClients } from '../../src/storage/client';
import { temporalClient } from '../../src/client/client';
import type { ScheduleListing } from '../../src/client/backup-schedules';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { BACKUP_SCHEDULE_ID, RETENTION_SCHEDULE_ID, type RetentionOutcome } from '../../src/workflows/backup-api';
import { backupTestConfig, migrateBackupStores } from '../backup/fixture';
import { assertOneLineError, runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';

/**
 * Backup schedules (issue 10): created, updated, triggered, paused and listed through the CLI, checked through
 * the Temporal client; a run triggered while one runs is skipped (overlap SKIP); retention removes only what may go.
 */
describe('backup schedules and retention', () => {
  const { file, config } = backupTestConfig('backup-schedule');
  let client: Client;
  let workers: RunningWorkers | undefined;
  const cli = (args: string[]) => runCli(['--config', file, ...args]);
  const list = () => runCliJson<ScheduleListing[]>(['--config', file, 'backup', 'schedule', 'list']);

  before(async () => {
    await migrateBackupStores(config);
    client = await temporalClient(config);
  });
  after(async () => {
    for (const id of [BACKUP_SCHEDULE_ID, RETENTION_SCHEDULE_ID]) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await client?.connection.close();
    await workers?.shutdown();
    await closeStoreClients();
  });

  it('creates both schedules with overlap skip, a catch-up window and jitter; a second call updates them', async () => {
    const created = await cli(['backup', 'schedule', '--every', '1h', '--retention', '30d', '--jitter', '2m', '--catchup-window', '30m']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^marketprism-backup: created \(every 1h, retention 30d, jitter 2m, overlap skip\)\nmarketprism-retention: created/);
    const d = await client.schedule.getHandle(BACKUP_SCHEDULE_ID).describe();
    assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(Number(d.policies.catchupWindow), 30 * 60_000);
    assert.equal(Number(d.spec.jitter), 2 * 60_000);
    assert.equal(d.spec.intervals?.[0]?.every, 3_600_000);
    assert.equal((d.action as { workflowType: string }).workflowType, 'BackupWorkflow');
    assert.equal((d.action as { taskQueue: string }).taskQueue, BACKUP_QUEUE);
    const r = await client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    assert.deepEqual((r.action as { args: unknown[] }).args, [{ retentionMs: 30 * 86_400_000 }]);

    const updated = await cli(['backup', 'schedule', '--every', '2h', '--retention', '7d']);
    assert.match(updated.stdout, /^marketprism-backup: updated \(every 2h, retention 7d/);
    const listed = await list();
    assert.deepEqual(listed.map((l) => [l.scheduleId, l.workflowType, l.everyMs, l.retentionMs, l.paused]), [
      [BACKUP_SCHEDULE_ID, 'BackupWorkflow', 7_200_000, 7 * 86_400_000, false],
      [RETENTION_SCHEDULE_ID, 'RetentionWorkflow', 7_200_000, 7 * 86_400_000, false],
    ]);
    assert.match((await cli(['backup', 'schedule', 'list'])).stdout, /^SCHEDULE +WORKFLOW +EVERY +RETENTION +STATE/);
  });

  it('bad input is one line', async () => {
    await assertOneLineError(['--config', file, 'backup', 'schedule', '--every', 'often'], /--every 'often' is not a duration; write it like 30m, 1h or 30d$/);
    await assertOneLineError(['--config', file, 'backup', 'schedule', '--every', '5s'], /--every '5s' is too short; use at least 60s$/);
    await assertOneLineError(['--config', file, 'backup', 'schedule', 'resume'], /backup schedule 'resume': not an action; use one of set, pause, unpause, trigger, delete, list$/);
    await assertOneLineError(['--config', file, 'backup', 'schedule', 'pause', '--every', '1h'], /backup schedule pause takes no --every/);
  });

  it('a trigger while the triggered run still runs is skipped; the run completes once a worker serves the backup queue', async () => {
    // no worker polls `backup` yet: the first triggered run waits for one, so the second finds it running
    assert.equal((await cli(['backup', 'schedule', 'trigger'])).code, 0);
    const running = await eventually('the triggered backup runs', async () => {
      const l = (await list()).find((x) => x.scheduleId === BACKUP_SCHEDULE_ID);
      return l && l.running.length === 1 ? l.running[0] : undefined;
    }, 30_000, 300);
    assert.match(running, /^backup\/scheduled-/);
    assert.equal((await cli(['backup', 'schedule', 'trigger'])).code, 0);
    const after = await eventually('the second trigger is skipped', async () => {
      const l = (await client.schedule.getHandle(BACKUP_SCHEDULE_ID).describe()).info;
      return l.numActionsSkippedOverlap >= 1 ? l : undefined;
    }, 30_000, 300);
    assert.equal(after.runningActions.length, 1);
    assert.equal(after.numActionsTaken, 1);

    workers = await startWorkers(config, { queues: [STORAGE_QUEUE, BACKUP_QUEUE], identity: 'backup-schedule' });
    const outcome = await client.workflow.getHandle(running).result();
    assert.equal(outcome.state, 'verified');
    const backups = await listBackups(await openBackupStore(config));
    assert.deepEqual(backups.map((b) => b.backupId), [outcome.backupId]);
  });

  it('pause and unpause show in the list and in Temporal; delete removes both; trigger then says there is none', async () => {
    assert.equal((await cli(['backup', 'schedule', 'pause'])).stdout.trim(), 'marketprism-backup, marketprism-retention: paused');
    assert.deepEqual((await list()).map((l) => l.paused), [true, true]);
    const d = await client.schedule.getHandle(BACKUP_SCHEDULE_ID).describe();
    assert.equal(d.state.paused, true);
    assert.equal(d.state.note, 'paused from the marketprism CLI');
    await cli(['backup', 'schedule', 'unpause']);
    assert.deepEqual((await list()).map((l) => l.paused), [false, false]);
    assert.equal((await cli(['backup', 'schedule', 'delete'])).stdout.trim(), 'marketprism-backup, marketprism-retention: deleted');
    assert.deepEqual(await list(), []);
    await assertOneLineError(['--config', file, 'backup', 'schedule', 'trigger'], /there is no backup schedule to trigger; create it with `marketprism backup schedule --every 1h`$/, 1);
  });

  it('RetentionWorkflow deletes expired chains and keeps what a kept backup needs', async () => {
    const store = await openBackupStore(config);
    const ring = loadKeyring(config.dataDir);
    const DAY = 86_400_000;
    const now = Date.now();
    const make = async (ageDays: number, parentId: string | null) => {
      const createdAt = now - ageDays * DAY;
      const id = backupIdAt(createdAt, Math.random());
      await new ArchiveWriter(store, ring, id).finish({ parentId, createdAt, stores: [], sources: {} });
      return id;
    };
    const oldFull = await make(12, null);
    const oldInc = await make(11, oldFull);
    const keptFull = await make(9, null);
    const keptInc = await make(5, keptFull); // younger than the retention: keeps its parent
    const before = (await listBackups(store)).map((b) => b.backupId);
    const result = (await client.workflow.execute('RetentionWorkflow', { workflowId: 'retention/test', taskQueue: BACKUP_QUEUE, args: [{ retentionMs: 7 * DAY }] })) as RetentionOutcome;
    assert.deepEqual(result.deleted, [oldFull, oldInc]);
    assert.deepEqual(result.keptAsParents, [keptFull]);
    const remaining = (await listBackups(store)).map((b) => b.backupId);
    assert.deepEqual(remaining, before.filter((id) => id !== oldFull && id !== oldInc));
    assert.ok(remaining.includes(keptInc));
  });

  it('marketprism up creates the default schedules from the config', async () => {
    const up = await cli(['up', '--no-worker']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /backup schedules created: every 1h, retention 30d/);
    const listed = await list();
    assert.deepEqual(listed.map((l) => [l.scheduleId, l.everyMs, l.retentionMs, l.jitterMs, l.paused]), [
      [BACKUP_SCHEDULE_ID, 3_600_000, 30 * 86_400_000, 60_000, false],
      [RETENTION_SCHEDULE_ID, 3_600_000, 30 * 86_400_000, 60_000, false],
    ]);
    const again = await cli(['up', '--no-worker']);
    assert.match(again.stdout, /backup schedules up to date: every 1h, retention 30d/);
    await cli(['backup', 'schedule', 'delete']);
  });
});
