import type { ClickHouseClient } from '@clickhouse/client';
import type { BackupCounts } from '../domain/backup';
import { BATCH_TABLES, isBatchTable, type BatchTable } from '../domain/batch';
import { pipeline } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { ledgerEntriesOf } from '../storage/batch-stream';
import { batchTableDef } from '../storage/batch-tables';
import { ledgerBatches } from '../storage/ledger-diff';
import { recordLedgerHashes } from '../storage/ledger';
import type { AlertRow, BatchLedgerRow } from '../storage/records';
import { selectRows } from '../storage/table-io';
import { ALERTS_TABLE } from '../storage/tables';
import { ArchiveWriter, DEFAULT_CHUNK_BYTES, type NativeEntry } from './archive-writer';
import { nativeColumns } from './native';
import { exportNative, STORE_GZIP_LEVEL } from './native-io';
import { proveHeld } from './prove';
import { chainBatchIds, chooseParent } from './chain';
import { BackupError } from './errors';
import { listBackups } from './catalog';
import type { BackupKeyring } from './key';
import type { DeferredBatch } from './manifest';
import type { BackupStore } from './store';

/**
 * Taking one backup from the stores. Incremental by the batch ledger: the batches some store's ledger holds
 * and the chain does not (so a batch a store was repaired with later, or that only a store that was down held,
 * is taken by the first backup that can read it); a full backup takes every ledger entry. Each batch's rows come from a store whose ledger holds it and whose rows match
 * that entry (count and checksum); a store that is down or does not match is passed over for the next, so one
 * store down does not stop a backup. A batch no store can provide with matching rows is listed in the
 * manifest as deferred; as it is still not in the chain, the next backup tries it again. Alert rows changed since the parent are added too (alerts are not batches).
 */
export interface ExportSource {
  id: string;
  client: ClickHouseClient;
  database: string;
}

export interface ExportProgress {
  table: BatchTable | 'alerts';
  batches: number;
  rows: number;
}

export interface ExportOptions {
  /** the configured stores, in config order */
  sources: readonly ExportSource[];
  store: BackupStore;
  keyring: BackupKeyring;
  backupId: string;
  full?: boolean;
  /** a chain whose full backup is older than this gets a new full backup */
  fullEveryMs?: number;
  chunkBytes?: number;
  /** rows per Native chunk (whole batches; a larger batch gets a chunk of its own) */
  chunkRows?: number;
  /** alert rows are taken from this long before the parent started (s), so none changed meanwhile is missed */
  marginSeconds?: number;
  progress?: (p: ExportProgress) => void;
}

export interface ExportResult extends BackupCounts {
  /** batches read per store */
  sources: Record<string, number>;
  /** the key's id (never the key) */
  keyId: string;
  /**
   * every Native chunk was decompressed and walked as it was written (archive-writer.ts), so the check after the
   * backup need not walk it again; absent from an export by an older worker, which did not
   */
  walked: true;
  /** older ledger entries whose cheap hash this backup recorded (recordLedgerHashes), and why a store refused it */
  hashesLearned: number;
  learnFailures: string[];
}

export const DEFAULT_MARGIN_SECONDS = 300;

/**
 * Rows per Native chunk. A chunk is held sealed (gzip, encrypted) in memory until it is stored, and its batches
 * are read by one query (a scan of the table's batch_id column each), so: large enough that a table takes few
 * scans, small enough that a sealed chunk stays tens of MB (about 25 MB for 1 M real trades).
 */
export const DEFAULT_CHUNK_ROWS = 1_000_000;

/** Entries in groups of at most `rows` rows (a larger entry alone), in order. */
function chunkGroups<T extends { rows: number }>(entries: readonly T[], rows: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let n = 0;
  for (const e of entries) {
    if (current.length && n + e.rows > rows) {
      out.push(current);
      current = [];
      n = 0;
    }
    current.push(e);
    n += e.rows;
  }
  if (current.length) out.push(current);
  return out;
}

interface Candidate {
  table: BatchTable;
  /** each store's ledger entry for it */
  entries: Map<string, BatchLedgerRow>;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export async function exportBackup(opts: ExportOptions): Promise<ExportResult> {
  const createdAt = Date.now();
  const margin = opts.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  const { chain, fullBecause } = await chooseParent(opts.store, opts.keyring, { full: opts.full, fullEveryMs: opts.fullEveryMs, now: createdAt });
  const parent = chain.at(-1);
  const inChain = await chainBatchIds(opts.store, chain);

  // 1. the candidates: every batch in a store's ledger that the chain does not hold yet. The whole ledger is
  // read (batch ids only), as `replicas repair` does: inserted_at cannot serve as a watermark, since ClickHouse
  // 18.16 fills a column left out of a JSONEachRow insert with its type's default, not its DEFAULT expression.
  const candidates = new Map<string, Candidate>();
  const unreachable: string[] = [];
  const problems = new Map<string, string[]>();
  const note = (batchId: string, why: string): void => {
    problems.set(batchId, [...(problems.get(batchId) ?? []), why]);
  };
  for (const s of opts.sources) {
    try {
      const fresh = (await ledgerBatches(s.client, s.database)).filter((b) => !inChain.has(b.batchId)).map((b) => b.batchId);
      for (const e of await ledgerEntriesOf(s.client, s.database, fresh)) {
        if (!isBatchTable(e.tableName)) continue;
        let c = candidates.get(e.batchId);
        if (!c) candidates.set(e.batchId, (c = { table: e.tableName, entries: new Map() }));
        c.entries.set(s.id, e);
      }
    } catch {
      unreachable.push(s.id);
    }
  }
  if (unreachable.length === opts.sources.length) {
    throw new BackupError(`no store could be read (${unreachable.join(', ')}); a backup needs at least one`);
  }
  const deferred: DeferredBatch[] = [];

  // 2. rows, table by table, each batch from the first store that holds it and matches its ledger entry. The
  // store proves it in ONE aggregate query per table: count and cheap hash per batch_id, compared with the hash
  // the writer recorded in the ledger (the ledger checksum, which needs every decimal as text and costs about
  // ten times more, only for entries without one and rows the cheap proof does not confirm), then sends the
  // proven batches as ClickHouse Native, gzipped by the store, in chunks of whole batches (format version 2,
  // docs/backups.md).
  const writer = new ArchiveWriter(opts.store, opts.keyring, opts.backupId, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  writer.nativeFormat();
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const sources: Record<string, number> = {};
  const reachable = opts.sources.filter((s) => !unreachable.includes(s.id));
  let rowsDone = 0;
  let hashesLearned = 0;
  const learnFailures: string[] = [];
  for (const table of BATCH_TABLES) {
    const def = batchTableDef(table);
    const columns = nativeColumns(def);
    const remaining = new Map([...candidates].filter(([, c]) => c.table === table));
    // a batch of no rows has nothing to read: its ledger entry is all there is (a chunk of no rows holds them).
    // Only when every ledger says so: a store whose entry says 0 where another's says N cannot provide its rows.
    const empties: NativeEntry[] = [];
    for (const [batchId, c] of remaining) {
      const entries = [...c.entries.values()];
      if (entries.every((e) => e.rows === 0)) {
        empties.push({ batchId, table, rows: 0, checksum: entries[0].checksum, hash: '0' });
        remaining.delete(batchId);
      }
    }
    if (empties.length) await writer.addNativeChunk(table, columns, empties, [gzipSync(Buffer.alloc(0))]);
    const tried = new Set<string>();
    while (remaining.size > 0) {
      // the store holding most of what is left goes next
      const next = reachable
        .filter((s) => !tried.has(s.id))
        .map((s) => ({ s, held: [...remaining].filter(([, c]) => c.entries.has(s.id)).map(([id]) => id) }))
        .filter((x) => x.held.length > 0)
        .sort((a, b) => b.held.length - a.held.length)[0];
      if (!next) break;
      tried.add(next.s.id);
      const { client, database } = next.s;
      const entryOf = (id: string): BatchLedgerRow => remaining.get(id)?.entries.get(next.s.id) as BatchLedgerRow;
      try {
        const { plain, final, unproven } = await proveHeld(next.s, def, next.held.map(entryOf));
        for (const u of unproven) note(u.batchId, u.why);
        // entries the checksum proved whose recorded cheap hash is missing (older entries) or not what the store
        // computes: the store learns the hash of those proven rows (best effort: a store that refuses the write is
        // still read), so the next full backup proves them cheaply
        const learned = [...plain, ...final].filter((e) => entryOf(e.batchId).hash !== e.hash);
        if (learned.length) {
          await recordLedgerHashes(client, database, learned).then(
            () => (hashesLearned += learned.length),
            (err: unknown) => learnFailures.push(`${next.s.id}: ${firstLine(err)}`),
          );
        }
        for (const [withFinal, entries] of [
          [false, plain],
          [true, final],
        ] as const) {
          for (const group of chunkGroups(entries, chunkRows)) {
            const exported = await exportNative(client, database, def, columns, group.map((e) => e.batchId), withFinal);
            const compressed = exported.gzipped ? exported.stream : pipeline(exported.stream, createGzip({ level: STORE_GZIP_LEVEL }), () => undefined);
            await writer.addNativeChunk(table, columns, group, compressed);
            for (const e of group) remaining.delete(e.batchId);
            sources[next.s.id] = (sources[next.s.id] ?? 0) + group.length;
            rowsDone += group.reduce((n, e) => n + e.rows, 0);
            opts.progress?.({ table, batches: writer.batchCount, rows: rowsDone });
          }
        }
      } catch (err) {
        for (const id of next.held) if (remaining.has(id)) note(id, `${next.s.id}: ${firstLine(err)}`);
      }
    }
    for (const batchId of remaining.keys()) deferred.push({ batchId, table, reason: (problems.get(batchId) ?? ['no reachable store provided it']).join('; ') });
  }

  // 3. alert rows changed since the parent, merged from every store that answers
  const since = parent ? Math.max(0, parent.createdAt - margin * 1000) : 0;
  const alerts = new Map<string, AlertRow>();
  for (const s of reachable) {
    try {
      for (const a of await selectRows<AlertRow>(s.client, s.database, ALERTS_TABLE, { where: `updated_at >= ${since}` })) {
        const held = alerts.get(a.key);
        if (!held || held.updatedAt < a.updatedAt) alerts.set(a.key, a);
      }
    } catch {
      // alerts are best effort: a store that fails here still served its batches above
    }
  }
  await writer.addAlerts([...alerts.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  opts.progress?.({ table: 'alerts', batches: writer.batchCount, rows: rowsDone });

  // 4. another backup must not have continued the same parent meanwhile: its batches would be held twice
  const newest = (await listBackups(opts.store)).filter((b) => (b.state === 'verified' || b.state === 'unverified') && b.backupId !== opts.backupId).at(-1);
  if (parent && newest && newest.backupId !== parent.backupId) {
    throw new BackupError(`backup ${newest.backupId} was completed while ${opts.backupId} ran; run the backup again (it will continue ${newest.backupId})`);
  }
  const manifest = await writer.finish({ parentId: parent?.backupId ?? null, createdAt, stores: opts.sources.map((s) => s.id).filter((id) => !unreachable.includes(id)), sources, deferred });
  return {
    backupId: manifest.backupId,
    parentId: manifest.parentId,
    kind: manifest.kind,
    ...(fullBecause && { fullBecause }),
    batches: manifest.totals.batches,
    rows: manifest.totals.rows,
    bytes: manifest.totals.bytes,
    chunks: manifest.chunks.length,
    deferred: deferred.length,
    sources,
    unreachable,
    keyId: manifest.keyId,
    walked: true,
    hashesLearned,
    learnFailures,
  };
}
