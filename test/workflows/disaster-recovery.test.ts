import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { CollectionGapRow, TradeRow } from '../../src/domain/rows';
import { BACKUP_QUEUE, collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startStore, stopStore, storePaths } from '../../src/services/clickhouse';
import { servicesUp } from '../../src/services/stack';
import { closeStoreClients, storeClient } from '../../src/storage/client';
import { ledgerBatches } from '../../src/storage/ledger-diff';
import { checkReplicas } from '../../src/storage/replica-check';
import { selectRows } from '../../src/storage/table-io';
import { COLLECTION_GAPS_TABLE, MARKET_TABLES } from '../../src/storage/tables';
import type { StoreConfig } from '../../src/config/schema';
import { temporalClient } from '../../src/client/client';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { BackupOutcome, RestoreOutcome } from '../../src/workflows/backup-api';
import { backupTestConfig, migrateBackupStores } from '../backup/fixture';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import { quoted, truth } from './collector-fixture';

/**
 * Issue 10, disaster recovery (docs/disaster-recovery.md), end to end: a collector writes, a backup is taken,
 * the collector writes on; then all three stores are lost (servers stopped, data directories deleted). The
 * services come up on empty stores, the latest backup is restored into each, the collector is started again
 * where the restored data ends and back-fills from the exchange what came after the backup. Every store then
 * holds exactly the simulator's ground truth for those trades: no gap, no duplicate.
 */
const EXCHANGE = 'binanceusdm';
const SYMBOL = 'BTC/USDT:USDT';

describe('disaster recovery: every store lost, restored from backup, collectors back-fill', () => {
  const { file, config } = backupTestConfig('disaster-recovery');
  let workers: RunningWorkers;
  let client: Client;
  const cli = (args: string[]) => runCli(['--config', file, ...args]);
  const startArgs = ['collect', 'start', '--exchange', EXCHANGE, '--type', 'trades', '--symbols', SYMBOL, '--interval', '300ms'];

  before(async () => {
    await migrateBackupStores(config);
    workers = await startWorkers(config, { queues: [collectQueue(EXCHANGE), STORAGE_QUEUE, BACKUP_QUEUE], identity: 'disaster-recovery' });
    client = await temporalClient(config);
  });
  after(async () => {
    await cli(['collect', 'stop', '--all']);
    for (const s of config.stores) await startStore(s, config.dataDir);
    await client?.connection.close();
    await workers?.shutdown();
    await closeStoreClients();
  });

  const trades = (store: StoreConfig, fromTime: number): Promise<TradeRow[]> =>
    selectRows<TradeRow>(storeClient(store), store.database, MARKET_TABLES.trades, { where: `exchange = ${quoted(EXCHANGE)} AND symbol = ${quoted(SYMBOL)} AND event_time >= ${fromTime}`, orderBy: 'event_time' });
  const ids = (rows: TradeRow[]): string[] => rows.map((r) => BigInt(r.tradeId)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);

  it('restores every store and ends equal to the ground truth', async () => {
    const testStart = Date.now();
    const [primary] = config.stores;
    assert.equal((await cli(startArgs)).code, 0);
    const first = await eventually('the collector stored trades', async () => (await trades(primary, testStart - 60_000))[0], 60_000, 300);
    const from = first.eventTime;
    await eventually('a few batches', async () => ((await trades(primary, from)).length > 30 ? true : undefined), 60_000, 300);

    const backup = await runCliJson<BackupOutcome>(['--config', file, 'backup', 'run']);
    assert.equal(backup.state, 'verified');
    const atBackup = (await trades(primary, from)).length;
    // written after the backup: lost with the stores, to be fetched again from the exchange
    await eventually('trades after the backup', async () => ((await trades(primary, from)).length > atBackup + 30 ? true : undefined), 60_000, 300);
    const lostAfterBackup = ids(await trades(primary, from)).slice(atBackup);
    assert.equal((await cli(['collect', 'stop', '--all'])).code, 0);
    const stoppedAt = Date.now();

    // the disaster: every store stopped and its data directory deleted
    for (const s of config.stores) {
      await stopStore(s, config.dataDir);
      rmSync(storePaths(s, config.dataDir).dir, { recursive: true, force: true });
    }
    await closeStoreClients();
    // the runbook: services up on empty stores, the latest backup restored into each
    await servicesUp(config);
    for (const s of config.stores) assert.deepEqual(await ledgerBatches(storeClient(s), s.database), [], `${s.id} came back empty`);
    for (const s of config.stores) {
      const r = await runCliJson<RestoreOutcome>(['--config', file, 'restore', '--backup', backup.backupId, '--target', s.id]);
      assert.equal(r.phase, 'done');
      assert.equal(r.batchesRestored, backup.batches, `${s.id}: every batch of the backup`);
    }
    assert.equal((await checkReplicas(config, { rows: 0 })).identical, true, 'the restored stores are identical');
    const restored = ids(await trades(primary, from));
    assert.ok(lostAfterBackup.every((id) => !restored.includes(id)), 'what came after the backup is not in the stores yet');

    // collectors started afresh resume where the restored data ends and back-fill from the exchange
    const resumed = await cli(startArgs);
    assert.equal(resumed.code, 0, resumed.stderr);
    const resumedAt = Date.now();
    await eventually('caught up past the restart', async () => (((await trades(primary, from)).at(-1)?.eventTime ?? 0) > resumedAt + 1_000 ? true : undefined), 120_000, 300);
    assert.equal((await cli(['collect', 'stop', '--all'])).code, 0);

    const stored = await trades(primary, from);
    const last = stored.at(-1) as TradeRow;
    assert.ok(last.eventTime > stoppedAt, 'the window spans the disaster');
    const emitted = await truth<{ id: string }>(config, { exchange: EXCHANGE, type: 'trades', symbol: SYMBOL, from, to: last.eventTime });
    const [lo, hi] = [BigInt(first.tradeId), BigInt(last.tradeId)];
    const expected = emitted.map((t) => t.id).filter((id) => BigInt(id) >= lo && BigInt(id) <= hi);
    assert.ok(lostAfterBackup.every((id) => expected.includes(id)));
    for (const s of config.stores) {
      const got = await eventually(`${s.id} holds the window`, async () => {
        const x = ids(await trades(s, from));
        return x.length >= expected.length ? x : undefined;
      }, 60_000, 500).catch(async () => ids(await trades(s, from)));
      assert.deepEqual(got, expected, `${s.id} holds exactly the ground truth ids (no gap, no duplicate)`);
      const gaps = await selectRows<CollectionGapRow>(storeClient(s), s.database, COLLECTION_GAPS_TABLE, { where: `exchange = ${quoted(EXCHANGE)} AND symbol = ${quoted(SYMBOL)} AND detected_at >= ${testStart}` });
      assert.deepEqual(gaps, [], `${s.id}: no gap recorded`);
    }
    // the trades written after the backup were fetched again after the restore
    const refetched = stored.filter((r) => lostAfterBackup.includes(r.tradeId));
    assert.ok(refetched.length === lostAfterBackup.length && refetched.every((r) => r.receiveTime >= resumedAt), 'back-filled after the restore');
  });
});
