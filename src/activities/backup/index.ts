import type { Config, StoreConfig } from '../../config/schema';
import { parseDuration } from '../../config/duration';
import { isBackupId, type BackupState } from '../../domain/backup';
import { writeState } from '../../backup/catalog';
import { exportBackup, type ExportResult } from '../../backup/export';
import { loadKeyring, type BackupKeyring } from '../../backup/key';
import { openBackupStore } from '../../backup/open';
import { applyRetention, type RetentionResult } from '../../backup/retention';
import { planRestore, restoreChunk, verifyRestore, isRestoreTable, type ChunkRestoreResult, type RestoreCheck, type RestorePlan, type RestoreTable, type RestoreTarget } from '../../backup/restore';
import type { BackupStore } from '../../backup/store';
import { verifyBackupArchive, type VerifyReport } from '../../backup/verify';
import { logger } from '../../logging';
import { storeClient } from '../../storage/client';
import { sqlIdentifier } from '../../storage/identifiers';
import { migrateStore } from '../../storage/migrate';
import { heartbeat, keepHeartbeating } from '../storage/heartbeat';
import { storeResolver } from '../storage/store-lookup';
import { BadBackupInputError, backupFailure } from './failures';

export interface ExportBackupInput {
  /** made by the workflow (src/domain/backup.ts) */
  backupId: string;
  full?: boolean;
}

export interface VerifyBackupInput {
  backupId: string;
  /** walk every Native chunk's rows (default true); false right after the backup, whose writer walked them (VerifyOptions) */
  walk?: boolean;
}

export interface VerifyBackupResult extends VerifyReport {
  state: BackupState;
}

export interface PlanRestoreInput {
  backupId: string;
  tables?: RestoreTable[];
}

export interface RestoreChunkInput {
  /** the target store (a configured store id): its breaker guards the restore */
  store: string;
  /** the backup of the chain this chunk belongs to */
  backupId: string;
  chunk: number;
  /** restore into this database of the store instead of its configured one (created and migrated) */
  database?: string;
  tables?: RestoreTable[];
}

export interface VerifyRestoreInput {
  store: string;
  backupId: string;
  database?: string;
  tables?: RestoreTable[];
}

export interface DropDatabaseInput {
  store: string;
  database: string;
}

export interface ApplyRetentionInput {
  /** keep backups younger than this (ms) */
  retentionMs: number;
}

/** Scratch databases `backup verify --restore-test` creates and drops; nothing else may be dropped. */
export const SCRATCH_DATABASE = /^mp_restore_test_[a-z0-9_]{1,40}$/;

function checkBackupId(id: unknown): string {
  if (typeof id !== 'string' || !isBackupId(id)) throw new BadBackupInputError(`'${String(id)}' is not a backup id (like 20250102T030405Z-9f3a1c); \`marketprism backup list\` shows them`);
  return id;
}

function checkTables(tables: unknown): RestoreTable[] | undefined {
  if (tables === undefined) return undefined;
  if (!Array.isArray(tables) || tables.some((t) => typeof t !== 'string' || !isRestoreTable(t))) throw new BadBackupInputError(`tables ${JSON.stringify(tables)}: expected batch table names or 'alerts'`);
  return tables as RestoreTable[];
}

/**
 * The backup activities over a worker's config: the key is read here, in the worker, from its env or key
 * file, and never travels through workflow arguments or history; the store and backup ids do.
 */
export function backupActivities(config: Config) {
  const resolve = storeResolver(() => config);
  let backupStore: Promise<BackupStore> | undefined;
  const store = (): Promise<BackupStore> => (backupStore ??= openBackupStore(config));
  // read per call, so a rotated key is picked up without restarting the worker
  const keyring = (): BackupKeyring => {
    const ring = loadKeyring(config.dataDir);
    if (ring.generated) logger.warn({ file: ring.generated, keyId: ring.current.keyId }, 'generated a backup key file: copy it somewhere safe, no backup can be restored without it');
    return ring;
  };
  const migrated = new Map<string, Promise<unknown>>();
  const target = async (storeId: string, database?: string): Promise<{ config: StoreConfig; target: RestoreTarget }> => {
    const s = resolve(storeId);
    const db = sqlIdentifier(database ?? s.database, 'database');
    const key = `${s.id}/${db}`;
    let ready = migrated.get(key);
    if (!ready) {
      ready = migrateStore(storeClient(s), db);
      ready.catch(() => migrated.delete(key));
      migrated.set(key, ready);
    }
    await ready;
    return { config: s, target: { id: s.id, client: storeClient(s), database: db } };
  };

  return {
    async exportBackup(input: ExportBackupInput): Promise<ExportResult> {
      const stop = keepHeartbeating(5_000);
      try {
        const backupId = checkBackupId(input.backupId);
        const bs = await store();
        // a retried attempt starts over: what an earlier attempt left of this backup goes first
        await bs.removeFolder(backupId);
        // each source at the current schema first (its ledger's columns are read); one that cannot be reached or
        // migrated now is passed over by the export like any store that is down
        await Promise.all(config.stores.map((s) => target(s.id).catch(() => undefined)));
        const result = await exportBackup({
          sources: config.stores.map((s) => ({ id: s.id, client: storeClient(s), database: s.database })),
          store: bs,
          keyring: keyring(),
          backupId,
          full: input.full,
          fullEveryMs: parseDuration(config.backup.fullEvery),
          progress: (p) => heartbeat(p),
        });
        // the learned cheap hashes only speed up later backups: a store that refused them is worth a line, not a failure
        for (const failure of result.learnFailures) logger.warn({ backupId, failure }, 'could not record learned cheap hashes in a ledger; later full backups prove those entries by their checksum');
        return result;
      } catch (err) {
        throw backupFailure(err);
      } finally {
        stop();
      }
    },

    async verifyBackup(input: VerifyBackupInput): Promise<VerifyBackupResult> {
      const stop = keepHeartbeating(5_000);
      try {
        const backupId = checkBackupId(input.backupId);
        const bs = await store();
        const report = await verifyBackupArchive(bs, keyring(), backupId, (done, total) => heartbeat({ done, total }), { walk: input.walk ?? true });
        const state: BackupState = report.ok ? 'verified' : 'bad';
        await writeState(bs, backupId, { state, checkedAt: Date.now(), ...(report.problems[0] && { problem: report.problems[0] }) });
        return { ...report, state };
      } catch (err) {
        throw backupFailure(err);
      } finally {
        stop();
      }
    },

    async planRestore(input: PlanRestoreInput): Promise<RestorePlan> {
      try {
        return await planRestore(await store(), keyring(), checkBackupId(input.backupId), checkTables(input.tables));
      } catch (err) {
        throw backupFailure(err);
      }
    },

    async restoreChunk(input: RestoreChunkInput): Promise<ChunkRestoreResult> {
      const stop = keepHeartbeating(5_000);
      let s: StoreConfig | undefined;
      try {
        const backupId = checkBackupId(input.backupId);
        const tables = checkTables(input.tables);
        const t = await target(input.store, input.database).catch((err: unknown) => {
          s = config.stores.find((x) => x.id === input.store);
          throw err;
        });
        s = t.config;
        return await restoreChunk(await store(), keyring(), backupId, input.chunk, t.target, tables);
      } catch (err) {
        if (s) migrated.delete(`${s.id}/${input.database ?? s.database}`); // it may have come back empty
        throw backupFailure(err, s);
      } finally {
        stop();
      }
    },

    async verifyRestore(input: VerifyRestoreInput): Promise<RestoreCheck> {
      const stop = keepHeartbeating(5_000);
      let s: StoreConfig | undefined;
      try {
        const t = await target(input.store, input.database);
        s = t.config;
        return await verifyRestore(await store(), keyring(), checkBackupId(input.backupId), t.target, checkTables(input.tables));
      } catch (err) {
        throw backupFailure(err, s);
      } finally {
        stop();
      }
    },

    /** Drops a scratch database of `backup verify --restore-test`; refuses any other name. */
    async dropScratchDatabase(input: DropDatabaseInput): Promise<boolean> {
      let s: StoreConfig | undefined;
      try {
        if (!SCRATCH_DATABASE.test(input.database)) throw new BadBackupInputError(`'${input.database}' is not a restore-test scratch database; only mp_restore_test_* are dropped`);
        s = resolve(input.store);
        await storeClient(s).command({ query: `DROP DATABASE IF EXISTS ${sqlIdentifier(input.database, 'database')}` });
        migrated.delete(`${s.id}/${input.database}`);
        return true;
      } catch (err) {
        throw backupFailure(err, s);
      }
    },

    async applyRetention(input: ApplyRetentionInput): Promise<RetentionResult> {
      try {
        if (!Number.isFinite(input.retentionMs) || input.retentionMs <= 0) throw new BadBackupInputError(`retention ${input.retentionMs} ms: expected a positive duration`);
        return await applyRetention(await store(), { retentionMs: input.retentionMs, now: Date.now() });
      } catch (err) {
        throw backupFailure(err);
      }
    },
  };
}
