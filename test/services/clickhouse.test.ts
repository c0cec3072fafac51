import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@clickhouse/client';
import type { StoreConfig } from '../../src/config/schema';
import { classify } from '../../src/reliability/classify';
import { CLICKHOUSE_BINARY_ENV, startStore, stopStore, storePaths, storeStatus } from '../../src/services/clickhouse';
import { freePort, isAlive, waitUntil } from '../../src/services/process';
import { closeStoreClients, storeClient } from '../../src/storage/client';
import { storeError, StoreQueryError } from '../../src/storage/errors';

async function makeStore(id: string): Promise<StoreConfig> {
  return { id, url: `http://127.0.0.1:${await freePort()}`, tcpPort: await freePort(), database: 'marketprism', username: 'default', managed: true };
}

describe('local ClickHouse store (src/services/clickhouse.ts)', () => {
  let dataDir: string;
  let store: StoreConfig;

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'marketprism-ch-'));
    store = await makeStore('primary');
  });

  after(async () => {
    await stopStore(store, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, reports healthy status with its pid, and writes files under <dataDir>/clickhouse/<id>/', async () => {
    const result = await startStore(store, dataDir);
    assert.equal(result.started, true);
    assert.equal(result.healthy, true);
    assert.ok(result.pid && isAlive(result.pid));
    assert.ok(result.secondsToHealthy !== undefined && result.secondsToHealthy < 10, `took ${result.secondsToHealthy}s`);
    console.log(`# store healthy ${result.secondsToHealthy}s after spawn`);
    const paths = storePaths(store, dataDir);
    assert.equal(paths.dir, path.join(dataDir, 'clickhouse', 'primary'));
    assert.equal(readFileSync(paths.pidFile, 'utf8').trim(), String(result.pid));
    const config = readFileSync(paths.configFile, 'utf8');
    assert.match(config, /<listen_host>127\.0\.0\.1<\/listen_host>/);
    assert.doesNotMatch(config, /interserver/);
    const status = await storeStatus(store, dataDir);
    assert.deepEqual(status, { id: 'primary', url: store.url, tcpPort: store.tcpPort, pid: result.pid, healthy: true });
  });

  it('start is idempotent: a healthy store is left running as it is', async () => {
    const before = await storeStatus(store, dataDir);
    const again = await startStore(store, dataDir);
    assert.equal(again.started, false);
    assert.equal(again.pid, before.pid);
    assert.equal(again.healthy, true);
  });

  it('restarts a store whose pid file is stale (process killed)', async () => {
    const { pid } = await storeStatus(store, dataDir);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitUntil('killed store to exit', async () => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 20 });
    assert.ok(existsSync(storePaths(store, dataDir).pidFile), 'the stale pid file is still there');
    const restarted = await startStore(store, dataDir);
    assert.equal(restarted.started, true);
    assert.notEqual(restarted.pid, pid);
    assert.equal(restarted.healthy, true);
  });

  it('stop stops it; status then says not healthy and no pid; stopping again is a no-op', async () => {
    const { pid } = await storeStatus(store, dataDir);
    assert.equal(await stopStore(store, dataDir), true);
    assert.ok(pid && !isAlive(pid));
    const status = await storeStatus(store, dataDir);
    assert.equal(status.healthy, false);
    assert.equal(status.pid, undefined);
    assert.equal(await stopStore(store, dataDir), false);
  });

  it('refuses with a one-line error when its port is taken by another program', async () => {
    const squatter = net.createServer();
    const port = Number(new URL(store.url).port);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(startStore(store, dataDir), (err: Error) => {
        assert.match(err.message, new RegExp(`^port ${port} for ClickHouse store primary \\(HTTP\\) is already taken by another program; stop it or choose another port`));
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    assert.equal((await storeStatus(store, dataDir)).pid, undefined);
  });

  it('says to apt-get install clickhouse-server when the binary is missing', async () => {
    const other = await makeStore('replica-1');
    process.env[CLICKHOUSE_BINARY_ENV] = path.join(dataDir, 'no-such-clickhouse-server');
    try {
      await assert.rejects(startStore(other, dataDir), /is not an executable file; run `apt-get install clickhouse-server`/);
    } finally {
      delete process.env[CLICKHOUSE_BINARY_ENV];
    }
  });

  it('does not take over a pid file whose process is some other program', async () => {
    const paths = storePaths(store, dataDir);
    writeFileSync(paths.pidFile, String(process.pid)); // alive, but not this store's server
    const status = await storeStatus(store, dataDir);
    assert.equal(status.pid, undefined);
    assert.equal(existsSync(paths.pidFile), false);
    assert.equal(await stopStore(store, dataDir), false);
    assert.ok(isAlive(process.pid));
  });

  it('enforces the store password from the environment (stored only as SHA-256)', async () => {
    const secured = await makeStore('secured');
    const env = 'MARKETPRISM_STORE_SECURED_PASSWORD';
    process.env[env] = 'correct horse';
    try {
      await startStore(secured, dataDir);
      assert.doesNotMatch(readFileSync(storePaths(secured, dataDir).usersFile, 'utf8'), /correct horse/);
      const ok = await storeClient(secured).query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
      assert.deepEqual(await ok.json(), [{ one: 1 }]);
      const intruder = createClient({ url: secured.url, password: 'wrong', log: { level: 127 } });
      try {
        const err = await intruder.query({ query: 'SELECT 1' }).then(
          () => undefined,
          (e: unknown) => storeError(secured.id, secured.url, e),
        );
        assert.ok(err instanceof StoreQueryError, String(err));
        assert.ok([192, 193, 194, 516].includes(err.clickhouseCode ?? 0), `code ${err.clickhouseCode}`);
        assert.equal(classify(err).class, 'bad_request');
      } finally {
        await intruder.close();
      }
    } finally {
      delete process.env[env];
      await closeStoreClients();
      await stopStore(secured, dataDir);
    }
  });
});
