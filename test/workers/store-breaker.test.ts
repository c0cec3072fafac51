/**
 * A store taken down mid-run, end to end: its breaker opens and raises an alert (alerts table of the other
 * stores, and the webhook), writes still reach quorum, and when the store comes back its breaker closes,
 * the alert is resolved and new writes reach it again, without anyone intervening.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startStore, stopStore } from '../../src/services/clickhouse';
import { storeClient } from '../../src/storage/client';
import { ledgerEntry } from '../../src/storage/ledger';
import type { AlertRow } from '../../src/storage/records';
import { openAlerts } from '../../src/storage/open-alerts';
import { temporalClient } from '../../src/client/client';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { resultOf, startWrite, tradeBatches } from '../workflows/redundant-write-support';
import { runCli } from '../support/cli';
import { eventually } from '../support/wait';

describe('a store going down and coming back', () => {
  const base = loadConfig();
  const received: AlertRow[] = [];
  let webhook: http.Server;
  let config: Config;
  let workers: RunningWorkers;
  let client: Client;
  const victim = base.stores[2];
  const key = `breaker:store:${victim.id}`;

  before(async () => {
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body) as AlertRow);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    config = {
      ...base,
      alerts: { webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts` },
      // quicker retries so the breaker sees its five failures within a second or two
      reliability: { errorClasses: { connection: { baseDelayMs: 100 } }, backoff: { minDelayMs: 50, maxDelayMs: 400 } },
    };
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], identity: 'store-breaker', metricsPort: 0 });
    client = await temporalClient(config);
  });

  after(async () => {
    await startStore(victim, config.dataDir);
    await workers?.shutdown();
    await client?.connection.close();
    webhook?.close();
  });

  it('opens the breaker and alerts while the store is down, and recovers by itself', async () => {
    await stopStore(victim, config.dataDir);
    const [first, second] = tradeBatches(`breaker-${Date.now()}`, 'BRK/USDT:USDT', 2, 5);

    await startWrite(client, config, first);
    const written = await resultOf(client, first);
    assert.deepEqual(written.acknowledged.sort(), [config.stores[0].id, config.stores[1].id].sort(), 'quorum from the two live stores');

    await eventually('the breaker of the stopped store to open', async () => (workers.reliability.breakers.get(`store:${victim.id}`).state() === 'OPEN' ? true : undefined), 60_000);
    const metrics = await (await fetch(`http://127.0.0.1:${workers.metricsPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`marketprism_breaker_state\\{dependency="store:${victim.id}"\\} 2`), 'metrics show the breaker open');
    assert.match(metrics, new RegExp(`marketprism_breaker_transitions_total\\{dependency="store:${victim.id}",to="OPEN"\\} 1`));
    const raised = await eventually('an open breaker alert', async () => (await openAlerts(config)).alerts.find((a) => a.key === key), 30_000);
    assert.equal(raised.severity, 'warning');
    assert.match(raised.message, new RegExp(`circuit breaker for store:${victim.id} opened`));
    assert.ok(received.some((a) => a.key === key && a.state === 'open'), 'the webhook heard the alert');
    const status = await eventually('status to list the alert', async () => {
      const r = await runCli(['status', '--json']);
      const s = JSON.parse(r.stdout) as { alerts: AlertRow[]; services: Array<{ name: string; healthy: boolean }> };
      return s.alerts.some((a) => a.key === key) ? { ...s, code: r.code } : undefined;
    }, 30_000);
    assert.equal(status.code, 3, 'status exits 3 while a service is down');
    assert.equal(status.services.find((s) => s.name === `clickhouse ${victim.id}`)?.healthy, false);

    await startStore(victim, config.dataDir);
    await startWrite(client, config, second);
    await eventually('the new batch in the returned store', async () => ((await ledgerEntry(storeClient(victim), victim.database, second.batchId)) ? true : undefined), 60_000);
    await eventually('the breaker to close', async () => (workers.reliability.breakers.get(`store:${victim.id}`).state() === 'CLOSED' ? true : undefined), 30_000);
    await eventually('the alert to be resolved', async () => ((await openAlerts(config)).alerts.some((a) => a.key === key) ? undefined : true), 30_000);
    assert.ok(received.some((a) => a.key === key && a.state === 'resolved'), 'the webhook heard the resolution');
  });
});
