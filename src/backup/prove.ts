import type { ClickHouseClient } from '@clickhouse/client';
import type { BatchTable } from '../domain/batch';
import { UNRECORDED_HASH, type BatchLedgerRow } from '../storage/records';
import type { TableDef } from '../storage/tables';
import type { NativeEntry } from './archive-writer';
import { proveBatches, type BatchProof } from './native-io';

/**
 * Which of a store's batches of one table a backup may take (src/backup/export.ts), each proved against the
 * store's own ledger entry:
 *  1. entries that recorded a cheap hash (schema version 8 on): count and cheap hash, one cheap aggregate;
 *  2. the rest (older entries, or rows the cheap hash did not confirm): count and ledger checksum, the authority;
 *  3. what 2 did not confirm either: the same with FINAL (rows a merge has not deduplicated yet), to be read with FINAL.
 * Each entry taken carries the cheap hash the store computed over the proven rows (for the restore's check).
 */
export interface ProvenBatches {
  /** proved without FINAL: read without it */
  plain: NativeEntry[];
  /** proved with FINAL: read with it */
  final: NativeEntry[];
  /** not provable on this store, with why (another store may provide them) */
  unproven: Array<{ batchId: string; why: string }>;
}

/** The store's rows prove the entry by count and cheap hash (an entry that recorded one). */
const provesByHash = (e: BatchLedgerRow, p: BatchProof): boolean => e.hash !== UNRECORDED_HASH && p.rows === e.rows && p.hash === e.hash;
/** The store's rows prove the entry by count and ledger checksum (src/storage/checksum.ts). */
const provesByChecksum = (e: BatchLedgerRow, p: BatchProof): boolean => p.rows === e.rows && p.checksum === e.checksum;

/** Proves `entries` (the store's ledger entries of batches of `def`'s table) against the store's rows; store errors propagate. */
export async function proveHeld(source: { id: string; client: ClickHouseClient; database: string }, def: TableDef, entries: readonly BatchLedgerRow[]): Promise<ProvenBatches> {
  const { client, database } = source;
  const out: ProvenBatches = { plain: [], final: [], unproven: [] };
  const take = (into: NativeEntry[], e: BatchLedgerRow, p: BatchProof): void => {
    into.push({ batchId: e.batchId, table: e.tableName as BatchTable, rows: e.rows, checksum: e.checksum, hash: p.hash });
  };
  const hashed = entries.filter((e) => e.hash !== UNRECORDED_HASH);
  const cheap = hashed.length ? await proveBatches(client, database, def, hashed.map((e) => e.batchId), { ledger: false }) : new Map<string, BatchProof>();
  let open: BatchLedgerRow[] = [];
  for (const e of entries) {
    const p = cheap.get(e.batchId);
    if (p && provesByHash(e, p)) take(out.plain, e, p);
    else open.push(e);
  }
  for (const final of [false, true]) {
    if (!open.length) break;
    const proofs = await proveBatches(client, database, def, open.map((e) => e.batchId), { final });
    const left: BatchLedgerRow[] = [];
    for (const e of open) {
      const p = proofs.get(e.batchId);
      if (p && provesByChecksum(e, p)) take(final ? out.final : out.plain, e, p);
      else if (final) {
        const held = p ?? { rows: 0, checksum: '0' };
        out.unproven.push({ batchId: e.batchId, why: `${source.id} holds ${held.rows} rows (checksum ${held.checksum}), its ledger says ${e.rows} (${e.checksum})` });
      } else left.push(e);
    }
    open = left;
  }
  return out;
}
