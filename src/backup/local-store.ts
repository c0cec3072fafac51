import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BackupStoreError } from './errors';
import { checkName, type BackupStore } from './store';

/**
 * Backups in a local directory (the default: <dataDir>/backups). An object is written to a temporary file
 * and renamed into place, so a crash never leaves a half-written chunk or manifest under its real name.
 */
export class LocalBackupStore implements BackupStore {
  readonly root: string;
  readonly description: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
    this.description = `local directory ${this.root}`;
  }

  private file(name: string): string {
    return path.join(this.root, ...checkName(name).split('/'));
  }

  async put(name: string, data: Buffer): Promise<void> {
    const file = this.file(name);
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new BackupStoreError(`cannot write ${name} to ${this.description} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the directory's space and permissions`);
    }
  }

  async get(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new BackupStoreError(`cannot read ${name} from ${this.description} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(this.file(rel), { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new BackupStoreError(`cannot list ${rel} in ${this.description} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      for (const e of entries) {
        if (e.name.includes('.tmp-')) continue;
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(child);
        else out.push(child);
      }
    };
    await walk(prefix);
    return out.sort();
  }

  async folders(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new BackupStoreError(`cannot list ${this.description} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  async removeFolder(prefix: string): Promise<number> {
    const names = await this.list(prefix);
    await rm(this.file(prefix), { recursive: true, force: true });
    return names.length;
  }
}
