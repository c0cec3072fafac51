import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { runCli } from '../support/cli';
import { collectorHarness } from '../workflows/collector-fixture';

interface StatusJson {
  queues: Array<{ queue: string; workflowPollers: string[]; activityPollers: string[]; workflowBacklog: number; activityBacklog: number }>;
  unserved: string[];
}

describe('marketprism status: task queues and unserved collectors', () => {
  const config = loadConfig();
  const h = collectorHarness(config, [collectQueue('okx'), STORAGE_QUEUE], 'status-test');

  it('shows pollers and backlog per task queue, and flags a collector whose queue no worker polls (exit 3)', async () => {
    const served = await h.collectors.start({ exchange: 'okx', dataType: 'ticker', symbols: ['BTC/USDT'], intervalMs: 1_000 });
    await h.collectors.waitFor(served, 'rows', (s) => s.rowsWritten > 0);
    // an exchange no worker in this suite ever polls: its collector waits in Temporal, unserved
    const orphan = await h.collectors.start({ exchange: 'bitget', dataType: 'ticker', symbols: ['BTC/USDT'], intervalMs: 1_000 });

    const result = await runCli(['status', '--json']);
    assert.equal(result.code, 3, `exit 3 while a collector is unserved (stderr: ${result.stderr})`);
    const status = JSON.parse(result.stdout) as StatusJson;
    const okx = status.queues.find((q) => q.queue === 'collect-okx');
    assert.ok(okx && okx.workflowPollers.some((p) => p.startsWith('status-test')) && okx.activityPollers.length > 0, `collect-okx is polled: ${JSON.stringify(okx)}`);
    const bitget = status.queues.find((q) => q.queue === 'collect-bitget');
    assert.deepEqual(bitget?.workflowPollers, []);
    assert.ok((bitget?.workflowBacklog ?? 0) >= 1, 'the orphan collector\'s first workflow task waits in the backlog');
    assert.deepEqual(status.unserved, [orphan]);

    const human = await runCli(['status']);
    assert.match(human.stdout, /task queue\s+workflow pollers\s+activity pollers\s+backlog/);
    assert.match(human.stdout, new RegExp(`${orphan.replace(/[/]/g, '\\/')}\\s+NO WORKER polls collect-bitget`));
    await h.client.workflow.getHandle(orphan).terminate('test done');
  });
});
