import type { Config } from '../config/schema';
import { storeClient } from './client';
import type { AlertRow } from './records';
import { selectRows } from './table-io';
import { ALERTS_TABLE } from './tables';

/**
 * Open alerts as the union over every reachable store, latest state per key winning: alerts are written
 * to all stores, and any one of them may be down.
 */
export async function openAlerts(config: Config): Promise<{ alerts: AlertRow[]; unreachable: string[] }> {
  const latest = new Map<string, AlertRow>();
  const unreachable: string[] = [];
  await Promise.all(
    config.stores.map(async (store) => {
      try {
        for (const row of await selectRows<AlertRow>(storeClient(store), store.database, ALERTS_TABLE)) {
          const known = latest.get(row.key);
          if (!known || row.updatedAt > known.updatedAt) latest.set(row.key, row);
        }
      } catch {
        unreachable.push(store.id);
      }
    }),
  );
  const alerts = [...latest.values()].filter((a) => a.state === 'open').sort((a, b) => a.raisedAt - b.raisedAt);
  return { alerts, unreachable };
}
