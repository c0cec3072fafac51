import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoreMigration } from '../../src/cli/migrate';
import { MIGRATIONS } from '../../src/storage/migrations';
import { runCli, runCliJson } from '../support/cli';

/** `marketprism migrate`, as the setup job of temporal-compose.yml runs it before anything else. */
describe('marketprism migrate', () => {
  const latest = Math.max(...MIGRATIONS.map((m) => m.version));

  it('brings every store to the latest schema version, and a second run applies nothing', async () => {
    await runCliJson<StoreMigration[]>(['migrate']);
    const again = await runCliJson<StoreMigration[]>(['migrate']);
    assert.deepEqual(again.map((r) => r.store), ['primary', 'replica-1', 'replica-2']);
    for (const r of again) assert.deepEqual({ version: r.version, applied: r.applied }, { version: latest, applied: [] }, r.store);
  });

  it('exits 1 naming a store it cannot reach', async () => {
    const result = await runCli(['migrate', '--json'], { MARKETPRISM_STORE_REPLICA_2_URL: 'http://127.0.0.1:9' });
    assert.equal(result.code, 1);
    const rows = JSON.parse(result.stdout) as StoreMigration[];
    assert.equal(rows.find((r) => r.store === 'replica-2')?.version, null);
    assert.ok(rows.find((r) => r.store === 'replica-2')?.error);
    assert.equal(rows.find((r) => r.store === 'primary')?.version, latest);
  });
});
