import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BackupKeyError } from './errors';

/**
 * The backup key: 32 random bytes, base64, from MARKETPRISM_BACKUP_KEY, else the file MARKETPRISM_BACKUP_KEY_FILE
 * names, else the key file under the data directory (generated on first use, mode 0600). Older keys stay
 * usable for reading after a rotation through MARKETPRISM_BACKUP_PREVIOUS_KEYS (base64 keys separated by
 * commas or whitespace) or MARKETPRISM_BACKUP_PREVIOUS_KEYS_FILE. The key itself never leaves this process:
 * manifests carry only its key id, and nothing here logs it.
 */
export const KEY_ENV = 'MARKETPRISM_BACKUP_KEY';
export const KEY_FILE_ENV = 'MARKETPRISM_BACKUP_KEY_FILE';
export const PREVIOUS_KEYS_ENV = 'MARKETPRISM_BACKUP_PREVIOUS_KEYS';
export const KEY_BYTES = 32;

export interface BackupKey {
  /** 32 bytes: AES-256-GCM and HMAC keys are derived from it per backup (src/backup/seal.ts) */
  readonly material: Buffer;
  /** first 8 hex digits of SHA-256 of the key: names the key in manifests, reveals nothing usable */
  readonly keyId: string;
}

export interface BackupKeyring {
  /** the key new backups are written with */
  current: BackupKey;
  /** every key this process can read backups with, by key id (current included) */
  byId: ReadonlyMap<string, BackupKey>;
  /** where the current key came from, for messages (never the key itself) */
  source: string;
  /** set when this call generated the key file: the caller must tell the operator to copy it somewhere safe */
  generated?: string;
}

export function keyIdOf(material: Buffer): string {
  return createHash('sha256').update(material).digest('hex').slice(0, 8);
}

/** base64 text → a key; `where` names the source in the error (never the value). */
export function parseKey(text: string, where: string): BackupKey {
  const trimmed = text.trim();
  const material = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || material.length !== KEY_BYTES) {
    throw new BackupKeyError(`${where} is not a backup key: expected ${KEY_BYTES} random bytes in base64 (44 characters); make one with \`openssl rand -base64 32\``);
  }
  return { material, keyId: keyIdOf(material) };
}

/** The key file `marketprism` generates when no key is configured: <dataDir>/keys/backup.key. */
export function defaultKeyFile(dataDir: string): string {
  return path.resolve(dataDir, 'keys', 'backup.key');
}

function readKeyFile(file: string, what: string): BackupKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BackupKeyError(`${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at a readable key file`);
  }
  return parseKey(text, `${what} ${file}`);
}

function previousKeys(env: NodeJS.ProcessEnv): BackupKey[] {
  const inline = env[PREVIOUS_KEYS_ENV];
  const file = env[`${PREVIOUS_KEYS_ENV}_FILE`];
  const texts: Array<{ text: string; where: string }> = [];
  if (inline) texts.push({ text: inline, where: PREVIOUS_KEYS_ENV });
  if (file) {
    try {
      texts.push({ text: readFileSync(file, 'utf8'), where: `${PREVIOUS_KEYS_ENV}_FILE ${file}` });
    } catch (err) {
      throw new BackupKeyError(`${PREVIOUS_KEYS_ENV}_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); point it at a readable file`);
    }
  }
  return texts.flatMap(({ text, where }) =>
    text
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((k, i) => parseKey(k, `${where} (key ${i + 1})`)),
  );
}

/** Writes a new random key to `file` with owner-only permissions; refuses to overwrite an existing one. */
function generateKeyFile(file: string): BackupKey {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const material = randomBytes(KEY_BYTES);
  try {
    // 'wx': two processes starting at once cannot both write a key; the loser reads the winner's
    writeFileSync(file, `${material.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file, 'backup key file');
    throw new BackupKeyError(`cannot create the backup key file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}); set ${KEY_ENV} or ${KEY_FILE_ENV}`);
  }
  chmodSync(file, 0o600); // the umask may have narrowed the mode, never widened; make it exact
  return { material, keyId: keyIdOf(material) };
}

/**
 * The keyring for this process. With neither env variable set, the key file under `dataDir` is read, or
 * generated when it does not exist yet (then `generated` names it). A key file readable by others is refused.
 */
export function loadKeyring(dataDir: string, env: NodeJS.ProcessEnv = process.env, opts: { generate?: boolean } = {}): BackupKeyring {
  let current: BackupKey;
  let source: string;
  let generated: string | undefined;
  if (env[KEY_ENV] !== undefined) {
    current = parseKey(env[KEY_ENV] ?? '', KEY_ENV);
    source = KEY_ENV;
  } else if (env[KEY_FILE_ENV] !== undefined) {
    const file = path.resolve(env[KEY_FILE_ENV] ?? '');
    current = readKeyFile(file, KEY_FILE_ENV);
    source = `${KEY_FILE_ENV} ${file}`;
  } else {
    const file = defaultKeyFile(dataDir);
    if (existsSync(file)) {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) throw new BackupKeyError(`backup key file ${file} is readable by others (mode ${mode.toString(8)}); run \`chmod 600 ${file}\``);
      current = readKeyFile(file, 'backup key file');
    } else if (opts.generate === false) {
      throw new BackupKeyError(`no backup key: set ${KEY_ENV} or ${KEY_FILE_ENV}, or run \`marketprism backup run\` once to generate ${file}`);
    } else {
      current = generateKeyFile(file);
      generated = file;
    }
    source = file;
  }
  const byId = new Map<string, BackupKey>([[current.keyId, current]]);
  for (const k of previousKeys(env)) if (!byId.has(k.keyId)) byId.set(k.keyId, k);
  return { current, byId, source, ...(generated && { generated }) };
}

/** The sentence the CLI prints once, when it generated the key file. */
export function generatedKeyNotice(file: string, keyId: string): string {
  return [
    `A backup key was generated: ${file} (key id ${keyId}).`,
    'Copy this file somewhere safe, away from this machine: without it no backup can be restored.',
  ].join('\n');
}
