import path from 'node:path';
import type { Config } from '../config/schema';
import { LocalBackupStore } from './local-store';
import type { BackupStore } from './store';

/** The local directory backups go to unless the config names one: <dataDir>/backups. */
export function defaultBackupDir(config: Pick<Config, 'dataDir' | 'backup'>): string {
  return path.resolve(config.backup.dir ?? path.join(config.dataDir, 'backups'));
}

/** The backup store the config names (local directory by default, or an S3-compatible bucket). */
export async function openBackupStore(config: Pick<Config, 'dataDir' | 'backup'>): Promise<BackupStore> {
  if (config.backup.target === 's3') {
    throw new Error('backup.target s3 is not available in this version; use target: local');
  }
  return new LocalBackupStore(defaultBackupDir(config));
}
