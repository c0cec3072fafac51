import type { ClickHouseClient } from '@clickhouse/client';
import { setTimeout as delay } from 'node:timers/promises';
import type { BatchTable } from '../domain/batch';
import { batchTableDef } from './batch-tables';
import { batchIdLiteral, qualified } from './identifiers';
import { ledgerEntry } from './ledger';
import { BATCH_ID_COLUMN } from './tables';

/** What a store holds of a batch whose staged rows were lost with their worker (src/workflows/quorum-write.ts). */
export interface PartialBatchOutcome {
  /** the store's ledger holds the batch: all its rows are in, and it can be copied from here */
  holds: boolean;
  /** rows of the batch found without a ledger entry, and deleted */
  discarded: number;
}

/**
 * How often the rows' deletion is checked, and for how long at most (a mutation rewrites the parts holding them):
 * well inside the activity's start-to-close timeout (the `admin` kind's 2 minutes), so an attempt ends by itself.
 */
const CHECK_EVERY_MS = 100;
const DELETE_WAIT_MS = 60_000;

async function rowsOf(client: ClickHouseClient, database: string, table: string, batchId: string): Promise<number> {
  const result = await client.query({ query: `SELECT toString(count()) AS n FROM ${qualified(database, table)} WHERE ${BATCH_ID_COLUMN} = ${batchIdLiteral(batchId)}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * Whether the store holds `batchId` (its ledger entry), and if it does not, the batch's rows it holds anyway removed:
 * rows an insert left without an entry when its worker died between the two. Needed before a batch that no store
 * holds is fetched again: the new fetch may cut the rows differently (another batch id), and these rows would stay
 * as copies of its trades. `ALTER TABLE … DELETE` is a mutation (ClickHouse ≥ 1.1.54388, so 18.16 and current
 * releases); it touches only parts that exist when it is submitted, never rows inserted after it, and runs in the
 * background, so this waits until the rows are gone (count() of the batch id is 0). Throws the store's errors, and
 * an Error when the rows are still there after DELETE_WAIT_MS (a retry submits the deletion again: harmless).
 */
export async function discardPartialBatch(client: ClickHouseClient, database: string, table: BatchTable, batchId: string): Promise<PartialBatchOutcome> {
  if (await ledgerEntry(client, database, batchId)) return { holds: true, discarded: 0 };
  const name = batchTableDef(table).name;
  const discarded = await rowsOf(client, database, name, batchId);
  if (discarded === 0) return { holds: false, discarded };
  await client.command({ query: `ALTER TABLE ${qualified(database, name)} DELETE WHERE ${BATCH_ID_COLUMN} = ${batchIdLiteral(batchId)}` });
  const deadline = Date.now() + DELETE_WAIT_MS;
  while ((await rowsOf(client, database, name, batchId)) > 0) {
    if (Date.now() > deadline) throw new Error(`${database}.${name}: the rows of batch ${batchId} are still there ${DELETE_WAIT_MS / 1000} s after ALTER TABLE … DELETE; see system.mutations`);
    await delay(CHECK_EVERY_MS);
  }
  return { holds: false, discarded };
}
