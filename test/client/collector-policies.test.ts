/**
 * Reliability overrides from the config reach the workflows: timeouts of the activities a collector
 * schedules, and of the insert activities of the writes it starts, follow `reliability:` in the config.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { collectQueue, STAGING_QUEUE_PREFIX, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { DEFAULT_POLICIES } from '../../src/reliability/policies';
import { temporalClient } from '../../src/client/client';
import { collectorInput, startCollector } from '../../src/client/collectors';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { eventually } from '../support/wait';

function seconds(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;
}

async function scheduled(client: Client, workflowId: string, activity: string) {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.map((e) => e.activityTaskScheduledEventAttributes).find((a) => a?.activityType?.name === activity) ?? undefined;
}

describe('policy overrides from the config', () => {
  const base = loadConfig();
  const config: Config = {
    ...base,
    reliability: { activities: { exchangeFetch: { startToCloseTimeoutMs: 17_000 }, storeInsert: { startToCloseTimeoutMs: 23_000 } } },
  };
  let workers: RunningWorkers;
  let client: Client;

  before(async () => {
    workers = await startWorkers(config, { queues: [collectQueue('binance'), STORAGE_QUEUE], identity: 'policies' });
    client = await temporalClient(config);
  });

  after(async () => {
    await workers?.shutdown();
    await client?.connection.close();
  });

  it('leaves the input lean when nothing is overridden', () => {
    const spec = { exchange: 'okx', dataType: 'trades' as const, symbols: ['BTC/USDT'], intervalMs: 1000 };
    assert.equal(collectorInput({ ...base, reliability: {} }, spec).policies, undefined);
    assert.equal(collectorInput(config, spec).policies?.activities.exchangeFetch.startToCloseTimeoutMs, 17_000);
  });

  it('applies them to the collector and to its writes', async () => {
    const { workflowId } = await startCollector(client, config, { exchange: 'binance', dataType: 'ticker', symbols: ['BTC/USDT'], intervalMs: 60_000 });
    try {
      const fetch = await eventually('a scheduled fetch', () => scheduled(client, workflowId, 'fetchTicker'), 30_000);
      assert.equal(seconds(fetch.startToCloseTimeout), 17);
      // the collector writes inline: its own history schedules the inserts, sent to the worker that staged the batch
      const insert = await eventually('a scheduled insert', () => scheduled(client, workflowId, 'insertStaged'), 30_000);
      assert.equal(seconds(insert.startToCloseTimeout), 23);
      assert.ok(insert.taskQueue?.name?.startsWith(STAGING_QUEUE_PREFIX), `sent to ${insert.taskQueue?.name}`);
      assert.equal(seconds(insert.scheduleToStartTimeout), DEFAULT_POLICIES.writes.stagedStartTimeoutMs! / 1000);
    } finally {
      await client.workflow.getHandle(workflowId).terminate('test done');
    }
  });
});
