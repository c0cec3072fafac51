import type { ClickHouseClient } from '@clickhouse/client';
import { recordBatches } from './batch-stream';
import { encodedBody, type EncodedBatch } from './encoded-batch';
import { qualified } from './identifiers';
import { insertBody } from './table-io';

/**
 * Inserts sized the way ClickHouse wants them (issue 11): every INSERT makes a part, and many collectors' small
 * batches as one insert each left thousands of parts and gigabytes on disk for megabytes of data. So per process,
 * per store and table, at most one INSERT starts per INSERT_WINDOW_MS: a batch that arrives while the table is idle
 * goes at once (no latency when little is written), and batches that arrive while an insert runs or within the
 * window after it go together in the next one, rows first and then their ledger entries in one more insert.
 * Per-batch idempotency is kept: each batch is checked against the ledger before it is queued, keeps its own
 * batch_id stamp and ledger entry, and its write succeeds only when both inserts did; a failed insert fails every
 * batch in it, and each is retried on its own terms (a crash between the two inserts leaves rows without ledger
 * entries, which a retry writes again under the same batch ids and the sorting key absorbs: write-batch.ts).
 * Nothing is buffered in the store (no Buffer tables): a batch is acknowledged only once the store has it.
 */
export const INSERT_WINDOW_MS = 1_000;
/** a merged insert is cut at this many rows (the rest waits for the next one) */
const MAX_ROWS_PER_INSERT = 200_000;

interface Waiting {
  batchId: string;
  encoded: EncodedBatch;
  done: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

interface Lane {
  client: ClickHouseClient;
  database: string;
  queue: Waiting[];
  lastStart: number;
  timer?: NodeJS.Timeout;
  running: boolean;
}

/** per store client (one per store per process: client.ts), per database and table */
const lanes = new WeakMap<ClickHouseClient, Map<string, Lane>>();

/** The number of INSERT statements a lane has sent, for tests and the bench. */
export const insertCounter = { inserts: 0 };

function schedule(lane: Lane): void {
  if (lane.timer || lane.running || lane.queue.length === 0) return;
  const wait = Math.max(0, lane.lastStart + INSERT_WINDOW_MS - Date.now());
  lane.timer = setTimeout(() => void flush(lane), wait);
}

async function flush(lane: Lane): Promise<void> {
  lane.timer = undefined;
  lane.running = true;
  lane.lastStart = Date.now();
  const taken: Waiting[] = [];
  let rows = 0;
  while (lane.queue.length > 0 && (taken.length === 0 || rows + lane.queue[0].encoded.rows <= MAX_ROWS_PER_INSERT)) {
    const next = lane.queue.shift() as Waiting;
    rows += next.encoded.rows;
    taken.push(next);
  }
  try {
    const withRows = taken.filter((w) => w.encoded.rows > 0);
    if (withRows.length > 0) {
      const ingestTime = Date.now();
      const def = withRows[0].encoded.def;
      const { columns } = encodedBody(withRows[0].encoded, ingestTime);
      const body = withRows.map((w) => encodedBody(w.encoded, ingestTime).body).join('');
      insertCounter.inserts += 1;
      await insertBody(lane.client, `INSERT INTO ${qualified(lane.database, def.name)} (${columns.join(', ')}) FORMAT JSONEachRow`, body);
    }
    await recordBatches(lane.client, lane.database, taken.map((w) => ({ batchId: w.batchId, tableName: w.encoded.def.name, rows: w.encoded.rows, checksum: w.encoded.checksum, hash: w.encoded.hash })));
    for (const w of taken) for (const d of w.done) d.resolve();
  } catch (err) {
    for (const w of taken) for (const d of w.done) d.reject(err);
  } finally {
    lane.running = false;
    schedule(lane);
  }
}

/**
 * Resolves once the store holds the batch's rows and ledger entry, written together with whatever else was queued
 * for the same store (client) and table; rejects with the store's error (every batch of that insert fails with it).
 */
export function coalescedInsert(client: ClickHouseClient, database: string, batchId: string, encoded: EncodedBatch): Promise<void> {
  let perClient = lanes.get(client);
  if (!perClient) lanes.set(client, (perClient = new Map()));
  const key = `${database}\u0000${encoded.def.name}`;
  let lane = perClient.get(key);
  if (!lane) perClient.set(key, (lane = { client, database, queue: [], lastStart: 0, running: false }));
  const current = lane;
  return new Promise<void>((resolve, reject) => {
    const same = current.queue.find((w) => w.batchId === batchId);
    if (same) same.done.push({ resolve, reject });
    else current.queue.push({ batchId, encoded, done: [{ resolve, reject }] });
    schedule(current);
  });
}
