import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { assertOneLineError } from '../support/cli';
import { eventually } from '../support/wait';
import { killAll, scaleConfig, scaleConfigFile, spawnWorker, status, type WorkerProcess } from './worker-processes';

/** Slots from flags and config: bad values refused in one line, the resource-based tuner reported by status. */
describe('worker slots: flags, config and the tuner', () => {
  const workers: WorkerProcess[] = [];
  after(() => killAll(workers));

  it('refuses bad slot flags and config in one line', async () => {
    await assertOneLineError(['worker', '--max-activities', '0'], /--max-activities '0' is not a whole number from 1 to 10000/);
    await assertOneLineError(['worker', '--max-workflow-tasks', '1'], /--max-workflow-tasks '1' is not a whole number from 2 to 10000/);
    await assertOneLineError(['worker', '--tuner', 'magic'], /--tuner 'magic' is not a tuner; use fixed or resource-based/);
    await assertOneLineError(['--config', scaleConfigFile({ heartbeatInterval: '90s' }), 'worker'], /worker\.heartbeatInterval = "90s": expected between 1s and 60s/);
    await assertOneLineError(['--config', scaleConfigFile({ targetCpuUsage: 1.5 }), 'worker'], /worker\.targetCpuUsage = 1.5: expected a fraction of the host above 0 and at most 1/);
  });

  it('a resource-based worker reports its tuner and slots to status', async () => {
    const { file } = scaleConfig({ tuner: 'resource-based', maxConcurrentActivityTaskExecutions: 7 });
    assert.match(readFileSync(file, 'utf8'), /resource-based/);
    const worker = spawnWorker(file, ['--queues', STORAGE_QUEUE, '--activities-only']);
    workers.push(worker);
    const mine = await eventually('status to show the resource-based worker', async () => (await status(file)).workers?.find((w) => w.identity === worker.identity && w.taskQueue === STORAGE_QUEUE), 120_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; worker output: ${worker.output().slice(-2_000)}`);
    });
    assert.equal(mine.activitySlots.kind, 'ResourceBased');
    assert.ok(mine.activitySlots.used + mine.activitySlots.available <= 7, `at most the ceiling of 7 slots: ${JSON.stringify(mine.activitySlots)}`);
    // a fixed worker beside it reports its own kind: the figure comes from each worker, not from the config status read
    const fixed = spawnWorker(file, ['--queues', STORAGE_QUEUE, '--activities-only', '--tuner', 'fixed', '--max-activities', '5']);
    workers.push(fixed);
    const other = await eventually('status to show the fixed worker', async () => (await status(file)).workers?.find((w) => w.identity === fixed.identity && w.taskQueue === STORAGE_QUEUE), 120_000, 500);
    assert.deepEqual([other.activitySlots.kind, other.activitySlots.used + other.activitySlots.available], ['Fixed', 5]);
  });
});
