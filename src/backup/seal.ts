import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { BackupKey } from './key';

/**
 * One chunk file on the backup store:
 *   "MPBC" | format version (1 byte: 1 JSON lines, 2 Native) | nonce (12 bytes) | AES-256-GCM ciphertext of gzip(plaintext) | tag (16 bytes)
 * The cipher key is derived per backup (HKDF-SHA256 of the backup key, salt = backup id), and the additional
 * authenticated data binds each chunk to its backup and position, so a chunk moved to another backup or slot
 * fails authentication. The SHA-256 the manifest records is of the whole file, checked before decrypting, so
 * a damaged file is reported as damaged rather than as a key problem.
 *
 * gzip, not zstd: Node 20 (the engines floor) has no zstd in node:zlib, and ClickHouse 18.16 compresses HTTP
 * responses with gzip (or deflate) only. Format 1 (JSON lines) uses level 3; format 2 (Native, src/backup/native.ts)
 * is gzipped by the store at level 1 (src/backup/native-io.ts), both chosen by measurement (npm run bench -- backup).
 */
export const CHUNK_MAGIC = Buffer.from('MPBC', 'ascii');
export const CHUNK_FORMAT = 1;
/** Format 2 (archive version 2): the same envelope around gzip of a ClickHouse Native stream (src/backup/native.ts). */
export const NATIVE_CHUNK_FORMAT = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = CHUNK_MAGIC.length + 1 + NONCE_BYTES;
export const GZIP_LEVEL = 3;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

function derive(key: BackupKey, backupId: string, purpose: 'chunks' | 'manifest'): Buffer {
  return Buffer.from(hkdfSync('sha256', key.material, Buffer.from(backupId, 'utf8'), Buffer.from(`marketprism-backup/${purpose}`, 'utf8'), 32));
}

function aad(backupId: string, index: number): Buffer {
  return Buffer.from(`marketprism-backup-chunk:${backupId}:${index}`, 'utf8');
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Compresses and encrypts one chunk's plaintext; returns the file's bytes. */
export async function sealChunk(key: BackupKey, backupId: string, index: number, plaintext: Buffer): Promise<Buffer> {
  const compressed = await gzipAsync(plaintext, { level: GZIP_LEVEL });
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derive(key, backupId, 'chunks'), nonce);
  cipher.setAAD(aad(backupId, index));
  const body = Buffer.concat([cipher.update(compressed), cipher.final()]);
  return Buffer.concat([CHUNK_MAGIC, Buffer.from([CHUNK_FORMAT]), nonce, body, cipher.getAuthTag()]);
}

/** Why a chunk could not be opened, as a phrase for BackupCorruptError. */
export class ChunkOpenError extends Error {
  override name = 'ChunkOpenError';
}

/**
 * Seals a chunk whose compressed plaintext arrives in pieces (format 2: gzip of a Native stream, as the store
 * sent it): encrypted piece by piece; returns the file's bytes and their SHA-256. Memory holds the sealed
 * chunk (compressed), never its plaintext.
 */
export async function sealCompressedStream(key: BackupKey, backupId: string, index: number, pieces: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<{ file: Buffer; sha256: string; compressedBytes: number }> {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derive(key, backupId, 'chunks'), nonce);
  cipher.setAAD(aad(backupId, index));
  const hash = createHash('sha256');
  const out: Buffer[] = [];
  const emit = (b: Buffer): void => {
    if (b.length === 0) return;
    hash.update(b);
    out.push(b);
  };
  emit(Buffer.concat([CHUNK_MAGIC, Buffer.from([NATIVE_CHUNK_FORMAT]), nonce]));
  let compressedBytes = 0;
  for await (const piece of pieces) {
    compressedBytes += piece.length;
    emit(cipher.update(piece));
  }
  emit(cipher.final());
  emit(cipher.getAuthTag());
  return { file: Buffer.concat(out), sha256: hash.digest('hex'), compressedBytes };
}

function checkEnvelope(file: Buffer, format: number): void {
  if (file.length < HEADER_BYTES + TAG_BYTES || !file.subarray(0, CHUNK_MAGIC.length).equals(CHUNK_MAGIC)) {
    throw new ChunkOpenError(`not a MarketPrism backup chunk (${file.length} bytes, no MPBC header)`);
  }
  const version = file[CHUNK_MAGIC.length];
  if (version !== format) {
    if (version === CHUNK_FORMAT || version === NATIVE_CHUNK_FORMAT) throw new ChunkOpenError(`chunk format ${version}, the manifest says ${format}`);
    throw new ChunkOpenError(`chunk format ${version} is not supported by this version (reads ${CHUNK_FORMAT} and ${NATIVE_CHUNK_FORMAT}); use a newer marketprism`);
  }
}

/** The plaintext of a chunk file of `format`, authenticated before anything is returned; throws ChunkOpenError. */
function decrypted(key: BackupKey, backupId: string, index: number, file: Buffer, format: number): Buffer {
  checkEnvelope(file, format);
  const nonce = file.subarray(CHUNK_MAGIC.length + 1, HEADER_BYTES);
  const tag = file.subarray(file.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', derive(key, backupId, 'chunks'), nonce);
  decipher.setAAD(aad(backupId, index));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(file.subarray(HEADER_BYTES, file.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ChunkOpenError(`AES-256-GCM authentication failed (key id ${key.keyId}): the chunk was altered, or belongs to another backup or position`);
  }
}

/** Decrypts a format 2 chunk file (authenticated before anything is returned); returns the gzip bytes inside. */
export function openCompressed(key: BackupKey, backupId: string, index: number, file: Buffer): Buffer {
  return decrypted(key, backupId, index, file, NATIVE_CHUNK_FORMAT);
}

/** Decrypts and decompresses one chunk file; throws ChunkOpenError saying what is wrong. */
export async function openChunk(key: BackupKey, backupId: string, index: number, file: Buffer): Promise<Buffer> {
  const compressed = decrypted(key, backupId, index, file, CHUNK_FORMAT);
  try {
    return await gunzipAsync(compressed);
  } catch (err) {
    throw new ChunkOpenError(`decrypted but not valid gzip (${(err as Error).message})`);
  }
}

/** HMAC-SHA256 (hex) of a manifest's canonical text, under a key derived per backup. */
export function manifestMac(key: BackupKey, backupId: string, text: string): string {
  return createHmac('sha256', derive(key, backupId, 'manifest')).update(text, 'utf8').digest('hex');
}

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
