import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { BATCH_ID_COLUMN, type TableDef } from '../storage/tables';
import { insertedColumns } from '../storage/row-codec';

/**
 * ClickHouse's Native format, as far as format version 2 archives need it (docs/backups.md):
 *  - the columns a chunk carries (every column an insert writes, stamps included), so a restore inserts the
 *    chunk's bytes as they are;
 *  - the cheap per-row hash (src/storage/cheap-hash.ts: cityHash64 over the row's own columns, decimals by their 16
 *    bytes), summed per batch by the store at backup time and again in the target after a restore. The same value on
 *    18.16 and on current releases (checked on both; test/backup/native.test.ts, test/storage/cheap-hash.test.ts);
 *    where a target computes another one, the ledger checksum decides (src/backup/restore.ts);
 *  - a walker over a Native stream that counts the rows of each batch id without decoding anything else, so
 *    verification checks every chunk's batches and row counts without a store.
 */

/** The columns of a batch table a chunk holds, in the order the export selects them. */
export function nativeColumns(def: TableDef): string[] {
  return insertedColumns(def);
}

export class NativeFormatError extends Error {
  override name = 'NativeFormatError';
}

class NeedMore extends Error {}

const FIXED: Record<string, number> = { UInt8: 1, Int8: 1, UInt16: 2, Int16: 2, Date: 2, UInt32: 4, Int32: 4, Float32: 4, DateTime: 4, UInt64: 8, Int64: 8, Float64: 8, UUID: 16 };

function decimalBytes(type: string): number | undefined {
  const m = /^Decimal\((\d+),\s*\d+\)$/.exec(type) ?? /^Decimal(32|64|128|256)\(\d+\)$/.exec(type);
  if (!m) return undefined;
  if (type.startsWith('Decimal(')) {
    const p = Number(m[1]);
    return p <= 9 ? 4 : p <= 18 ? 8 : p <= 38 ? 16 : 32;
  }
  return Number(m[1]) / 8;
}

/**
 * Counts the rows of each batch in a Native stream: feed it the decompressed bytes in pieces (push), then end().
 * Only the batch id column is decoded; every other column is skipped by its type. A block is parsed once whole:
 * the walker waits for more bytes while the buffered ones hold no complete block (at least doubling each time,
 * so parsing stays linear in the stream's size).
 */
export class NativeBatchCounter {
  readonly rowsByBatch = new Map<string, number>();
  rows = 0;
  blocks = 0;
  columns: string[] | undefined;
  /** set by a consumer that fed the counter from an event handler, where the error could not be thrown */
  failure: Error | undefined;
  private pieces: Buffer[] = [];
  private buffered = 0;
  private nextTry = 0;

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.buffered += piece.length;
    if (this.buffered >= this.nextTry) this.drain(false);
  }

  /** Parses what is left; throws NativeFormatError when the stream ends inside a block. */
  end(): this {
    this.drain(true);
    return this;
  }

  private drain(final: boolean): void {
    let buf = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    let pos = 0;
    for (;;) {
      if (pos === buf.length) break;
      try {
        pos = this.block(buf, pos);
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
        if (final) throw new NativeFormatError(`the Native stream ends inside a block (${buf.length - pos} bytes after the last whole block)`);
        break;
      }
    }
    buf = buf.subarray(pos);
    this.pieces = buf.length ? [buf] : [];
    this.buffered = buf.length;
    this.nextTry = Math.max(64 * 1024, 2 * buf.length);
  }

  /** Parses one block at pos; returns the position after it. */
  private block(buf: Buffer, start: number): number {
    const r = { pos: start };
    const varuint = (): number => {
      let value = 0;
      let shift = 0;
      for (;;) {
        if (r.pos >= buf.length) throw new NeedMore();
        const byte = buf[r.pos++];
        value += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) return value;
        shift += 7;
        if (shift > 63) throw new NativeFormatError('a varint longer than 9 bytes');
      }
    };
    const text = (): string => {
      const n = varuint();
      if (r.pos + n > buf.length) throw new NeedMore();
      const s = buf.toString('utf8', r.pos, r.pos + n);
      r.pos += n;
      return s;
    };
    const skip = (n: number): void => {
      if (r.pos + n > buf.length) throw new NeedMore();
      r.pos += n;
    };
    const skipColumn = (type: string, rows: number): void => {
      const fixed = FIXED[type] ?? decimalBytes(type);
      if (fixed !== undefined) return skip(fixed * rows);
      if (type === 'String') {
        for (let i = 0; i < rows; i++) skip(varuint());
        return;
      }
      const fixedString = /^FixedString\((\d+)\)$/.exec(type);
      if (fixedString) return skip(Number(fixedString[1]) * rows);
      const nullable = /^Nullable\((.*)\)$/.exec(type);
      if (nullable) {
        skip(rows);
        return skipColumn(nullable[1], rows);
      }
      const array = /^Array\((.*)\)$/.exec(type);
      if (array) {
        skip(8 * rows);
        const nested = rows === 0 ? 0 : Number(buf.readBigUInt64LE(r.pos - 8));
        return skipColumn(array[1], nested);
      }
      throw new NativeFormatError(`column type ${type} is not one a MarketPrism batch table has`);
    };
    const columnCount = varuint();
    const rows = varuint();
    const names: string[] = [];
    let ids = new Map<string, number>();
    for (let c = 0; c < columnCount; c++) {
      const name = text();
      const type = text();
      names.push(name);
      if (name === BATCH_ID_COLUMN) {
        if (type !== 'String') throw new NativeFormatError(`column ${name} is ${type}, not String`);
        ids = this.countIds(buf, r, rows, varuint);
      } else skipColumn(type, rows);
    }
    if (!names.includes(BATCH_ID_COLUMN) && rows > 0) throw new NativeFormatError(`a block of ${rows} rows has no ${BATCH_ID_COLUMN} column`);
    this.columns ??= names;
    if (names.join(',') !== this.columns.join(',')) throw new NativeFormatError(`a block's columns (${names.join(', ')}) differ from the first block's`);
    // only once the whole block parsed (a NeedMore anywhere retries the block from its start)
    for (const [id, n] of ids) this.rowsByBatch.set(id, (this.rowsByBatch.get(id) ?? 0) + n);
    this.rows += rows;
    this.blocks += 1;
    return r.pos;
  }

  /** Counts the ids of one block's batch id column; equal neighbours (rows of a batch are mostly together) are compared as bytes. */
  private countIds(buf: Buffer, r: { pos: number }, rows: number, varuint: () => number): Map<string, number> {
    const counts = new Map<string, number>();
    let prevStart = -1;
    let prevLen = -1;
    let prevId = '';
    let run = 0;
    for (let i = 0; i < rows; i++) {
      const n = varuint();
      if (r.pos + n > buf.length) throw new NeedMore();
      if (n === prevLen && buf.compare(buf, r.pos, r.pos + n, prevStart, prevStart + n) === 0) run++;
      else {
        if (run) counts.set(prevId, (counts.get(prevId) ?? 0) + run);
        prevId = buf.toString('utf8', r.pos, r.pos + n);
        prevStart = r.pos;
        prevLen = n;
        run = 1;
      }
      r.pos += n;
    }
    if (run) counts.set(prevId, (counts.get(prevId) ?? 0) + run);
    return counts;
  }
}

/** Decompresses a chunk's gzip (streaming, in pieces) into a counter; throws NativeFormatError for bad gzip or Native. */
export async function countNativeGzip(compressed: Buffer): Promise<NativeBatchCounter> {
  const counter = new NativeBatchCounter();
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  const fed = (async () => {
    for (let i = 0; i < compressed.length; i += FEED_BYTES) {
      if (!gunzip.write(compressed.subarray(i, i + FEED_BYTES))) await once(gunzip, 'drain');
    }
    gunzip.end();
  })();
  fed.catch(() => undefined); // its failure is the gunzip's, surfaced by the loop below
  try {
    for await (const piece of gunzip) counter.push(piece as Buffer);
    await fed;
  } catch (err) {
    if (err instanceof NativeFormatError) throw err;
    throw new NativeFormatError(`decrypted but not valid gzip (${(err as Error).message})`);
  }
  return counter.end();
}

const FEED_BYTES = 1 << 20;

/** zlib's output piece size: 16 KiB by default costs a thread-pool round trip per piece (4× slower on 1 M trades). */
export const GUNZIP_CHUNK_BYTES = 1 << 20;
