import { BackupError } from './errors';
import { readBatches, readChain } from './archive-reader';
import { listBackups } from './catalog';
import type { BackupKeyring } from './key';
import type { SignedManifest } from './manifest';
import type { BackupStore } from './store';

/**
 * Which backup a new incremental continues: the newest backup that is complete and not bad, whose whole
 * chain can be read with the keys at hand. None (or a chain whose full backup is older than `fullEveryMs`)
 * means the new backup is a full one.
 */
export interface ChainChoice {
  /** oldest first; empty for a full backup */
  chain: SignedManifest[];
  /** why the backup is full, when it is */
  fullBecause?: string;
}

export async function chooseParent(store: BackupStore, keyring: BackupKeyring, opts: { full?: boolean; fullEveryMs?: number; now?: number } = {}): Promise<ChainChoice> {
  if (opts.full) return { chain: [], fullBecause: 'asked for a full backup' };
  const candidates = (await listBackups(store)).filter((b) => b.state === 'verified' || b.state === 'unverified');
  const newest = candidates.at(-1);
  if (!newest) return { chain: [], fullBecause: 'no earlier backup' };
  let chain: SignedManifest[];
  try {
    chain = await readChain(store, newest.backupId, keyring);
  } catch (err) {
    if (err instanceof BackupError) return { chain: [], fullBecause: `the chain of ${newest.backupId} cannot be continued (${err.message})` };
    throw err;
  }
  const now = opts.now ?? Date.now();
  if (opts.fullEveryMs !== undefined && chain[0].createdAt < now - opts.fullEveryMs) {
    return { chain: [], fullBecause: `the chain's full backup ${chain[0].backupId} is older than the full-backup interval` };
  }
  return { chain };
}

/** Every batch id a chain holds (to leave them out of the next incremental). */
export async function chainBatchIds(store: BackupStore, chain: readonly SignedManifest[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const m of chain) for (const b of await readBatches(store, m)) ids.add(b.batchId);
  return ids;
}
