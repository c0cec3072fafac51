/**
 * Where backups are kept: a small object-store interface with two implementations, a local directory
 * (local-store.ts, the default) and an S3-compatible bucket (s3-store.ts). Names are relative paths with '/'
 * separators (`<backupId>/manifest.json`, `<backupId>/chunks/000001.bin`); each object is written whole.
 */
export interface BackupStore {
  /** for messages: `local directory /var/lib/marketprism/backups`, `s3://bucket/prefix/` */
  readonly description: string;
  /** writes an object; readers never see a partly written one */
  put(name: string, data: Buffer): Promise<void>;
  /** the object's bytes, or undefined when there is none */
  get(name: string): Promise<Buffer | undefined>;
  /** names of the objects under `prefix/` (recursively), sorted */
  list(prefix: string): Promise<string[]>;
  /** the top-level folders (one per backup, by id), sorted */
  folders(): Promise<string[]>;
  /** removes every object under `prefix/`; returns how many */
  removeFolder(prefix: string): Promise<number>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Object names are built by this code, never taken from input unchecked: no '..', no absolute paths. */
export function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`backup object name '${name}' is not valid; names are relative paths of letters, digits, . _ -`);
  return name;
}
