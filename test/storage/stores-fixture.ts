import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Config, StoreConfig } from '../../src/config/schema';
import { startStore, stopStore, type StoreStartResult } from '../../src/services/clickhouse';
import { closeStoreClients } from '../../src/storage/client';
import { writeTestConfig } from '../support/test-config';

/**
 * Real ClickHouse stores for tests: a complete config on free ports in a temp dir (test/support/test-config.ts),
 * its stores started, and a stop() that stops them and removes the dir. Also sets MARKETPRISM_CONFIG so code
 * that calls loadConfig() sees this config.
 */
export interface TestStores {
  dir: string;
  file: string;
  config: Config;
  stores: StoreConfig[];
  started: StoreStartResult[];
  stop(): Promise<void>;
}

/**
 * Starts them; a start that fails is tried once more on fresh free ports: a port chosen free can be taken by
 * another process before the server binds it (seen once in a full run, with many servers starting).
 */
export async function startTestStores(): Promise<TestStores> {
  try {
    return await startTestStoresOnce();
  } catch {
    return startTestStoresOnce();
  }
}

async function startTestStoresOnce(): Promise<TestStores> {
  const { file, config } = await writeTestConfig();
  const dir = path.dirname(file);
  const previousConfig = process.env.MARKETPRISM_CONFIG;
  process.env.MARKETPRISM_CONFIG = file;
  const stop = async (): Promise<void> => {
    await closeStoreClients();
    await Promise.all(config.stores.map((s) => stopStore(s, config.dataDir)));
    if (previousConfig === undefined) delete process.env.MARKETPRISM_CONFIG;
    else process.env.MARKETPRISM_CONFIG = previousConfig;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.all(config.stores.map((s) => startStore(s, config.dataDir)));
    return { dir, file, config, stores: config.stores, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
