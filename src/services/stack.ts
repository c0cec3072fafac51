import type { Config } from '../config/schema';
import { closeStoreClients, storeClient } from '../storage/client';
import { migrateStore } from '../storage/migrate';
import { startStore, stopStore, storeStatus } from './clickhouse';
import { codecServerStatus, startCodecServer, stopCodecServer } from './codec-server';
import { startSimulator, simulatorStatus, stopSimulator } from './simulator';
import { startTemporal, stopTemporal, temporalStatus, type ServiceStatus } from './temporal';

/**
 * The local stack as one unit: `services up` starts what is down and repairs what is half-dead
 * (each start is idempotent), `down` stops what this data dir runs, `status` reports each service.
 */
export async function servicesUp(config: Config, log: (s: ServiceStatus) => void = () => undefined): Promise<ServiceStatus[]> {
  const starts: Array<Promise<ServiceStatus>> = [];
  // the local UI decodes payloads through the codec server, so the two come and go together
  if (config.temporal.managed) starts.push(startTemporal(config), startCodecServer(config));
  for (const store of config.stores) {
    if (!store.managed) continue;
    starts.push(
      storeAsService(config, async () => {
        const status = await startStore(store, config.dataDir);
        // a fresh store is usable at once (workers also migrate before their first write)
        await migrateStore(storeClient(store), store.database);
        return status;
      }),
    );
  }
  if (config.simulator.enabled) starts.push(startSimulator(config));
  const settled = await Promise.allSettled(starts.map((p) => p.then((s) => (log(s), s))));
  await closeStoreClients(); // idle keep-alive sockets would hold this process (and a stopping store) open
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<ServiceStatus>).value);
}

export async function servicesDown(config: Config): Promise<string[]> {
  const stopped: string[] = [];
  const stop = async (name: string, fn: () => Promise<boolean>) => {
    if (await fn()) stopped.push(name);
  };
  await Promise.all([
    stop('simulator', () => stopSimulator(config)),
    ...config.stores.map((s) => stop(`clickhouse ${s.id}`, () => stopStore(s, config.dataDir))),
  ]);
  await stop('temporal', () => stopTemporal(config));
  await stop('codec-server', () => stopCodecServer(config));
  return stopped;
}

export async function servicesStatus(config: Config): Promise<ServiceStatus[]> {
  return Promise.all([
    temporalStatus(config),
    ...(config.temporal.managed ? [codecServerStatus(config)] : []),
    ...config.stores.map((s) => storeAsService(config, () => storeStatus(s, config.dataDir))),
    simulatorStatus(config),
  ]);
}

async function storeAsService(
  config: Config,
  fn: () => Promise<{ id: string; url: string; pid?: number; healthy: boolean }>,
): Promise<ServiceStatus> {
  const s = await fn();
  const managed = config.stores.find((x) => x.id === s.id)?.managed ?? false;
  return { name: `clickhouse ${s.id}`, address: s.url, healthy: s.healthy, pid: s.pid, managed };
}
