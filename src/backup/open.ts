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
    if (!config.backup.s3) throw new Error('backup.target is s3 but backup.s3 is not configured; add backup.s3 (bucket, region, endpoint)');
    // the AWS SDK takes a moment to load: only when the config asks for S3. require, not import(): under tsx's
    // CommonJS loader (the CLI run from source) import() of an extensionless .ts path does not resolve
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { S3BackupStore } = require('./s3-store') as typeof import('./s3-store');
    return new S3BackupStore(config.backup.s3);
  }
  return new LocalBackupStore(defaultBackupDir(config));
}
