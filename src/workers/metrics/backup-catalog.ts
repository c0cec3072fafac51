import { listBackups, type BackupSummary } from '../../backup/catalog';
import { openBackupStore } from '../../backup/open';
import type { Config } from '../../config/schema';
import type { Logger } from '../../logging';

/** Backups change at most every few minutes; a scrape every 15 s reads the catalog at most this often. */
export const BACKUP_CATALOG_CACHE_MS = 60_000;

/** What the backup gauges show: the newest verified backup, and every backup by state. */
export interface BackupCatalogView {
  newestVerified: Pick<BackupSummary, 'completedAt' | 'bytes' | 'batches'> | undefined;
  /** backups per state (verified, unverified, bad, incomplete) */
  counts: Record<string, number>;
  /** bytes of every backup the store holds (what the backups cost in storage) */
  totalBytes: number;
}

/**
 * The backup store's catalog as the metrics see it (issue 12: backup age and size), read where it lives, from the
 * manifests (listBackups; no key needed), at most once per BACKUP_CATALOG_CACHE_MS and only when scraped. A store
 * that cannot be read leaves the gauges out of that scrape, and says why at debug level.
 */
export class BackupCatalog {
  private cached: { at: number; value: Promise<BackupCatalogView | undefined> } | undefined;

  constructor(
    private readonly config: Pick<Config, 'dataDir' | 'backup'>,
    private readonly log: Logger,
  ) {}

  read(): Promise<BackupCatalogView | undefined> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > BACKUP_CATALOG_CACHE_MS) this.cached = { at: now, value: this.lookUp() };
    return this.cached.value;
  }

  private async lookUp(): Promise<BackupCatalogView | undefined> {
    try {
      const all = await listBackups(await openBackupStore(this.config));
      const verified = all.filter((b) => b.state === 'verified');
      const counts: Record<string, number> = { verified: 0, unverified: 0, bad: 0, incomplete: 0 };
      for (const b of all) counts[b.state] = (counts[b.state] ?? 0) + 1;
      return { newestVerified: verified.at(-1), counts, totalBytes: all.reduce((sum, b) => sum + b.bytes, 0) };
    } catch (err) {
      this.log.debug({ err }, 'backup metrics: the backup store could not be read');
      return undefined;
    }
  }
}
