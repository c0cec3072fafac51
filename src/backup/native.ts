import { once } from 'node:events';
import { createGunzip, type ZlibOptions } from 'node:zlib';
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

/** A Native block being walked: its header, and how far its columns are. */
interface OpenBlock {
  columnCount: number;
  rows: number;
  names: string[];
  ids: Map<string, number>;
}

/**
 * Counts the rows of each batch in a Native stream: feed it the decompressed bytes in pieces (push), then end().
 * Only the batch id column is decoded; every other column is skipped by its type. The walk resumes column by
 * column: bytes are parsed once a whole column is buffered (the walker waits for at least twice what it holds
 * after a column that did not fit), so parsing and copying stay linear in the stream's size. Its cost is part
 * of every backup (docs/performance.md, "Backups").
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
  private open: OpenBlock | undefined;

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.buffered += piece.length;
    if (this.buffered >= this.nextTry) this.drain(false);
  }

  /** Parses what is left; throws NativeFormatError when the stream ends inside a block. */
  end(): this {
    this.drain(true);
    if (this.open) throw new NativeFormatError(`the Native stream ends inside a block (${this.buffered} bytes after the last whole column)`);
    return this;
  }

  private drain(final: boolean): void {
    const buf = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    let pos = 0;
    while (pos < buf.length) {
      const next = this.open ? this.column(buf, pos, this.open) : this.header(buf, pos);
      if (next < 0) {
        if (final) throw new NativeFormatError(`the Native stream ends inside a block (${buf.length - pos} bytes after the last whole column)`);
        break;
      }
      pos = next;
      if (this.open && this.open.names.length === this.open.columnCount) this.closeBlock();
    }
    const rest = buf.subarray(pos);
    this.pieces = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.nextTry = Math.max(64 * 1024, 2 * rest.length);
  }

  /** Parses a block header at pos; returns the position after it, or -1 when it is not all there. */
  private header(buf: Buffer, pos: number): number {
    const afterColumns = varUInt(buf, pos);
    if (afterColumns < 0) return -1;
    const columnCount = varValue;
    const afterRows = varUInt(buf, afterColumns);
    if (afterRows < 0) return -1;
    this.open = { columnCount, rows: varValue, names: [], ids: new Map() };
    if (columnCount === 0) this.closeBlock();
    return afterRows;
  }

  /** Parses the open block's next column at pos; returns the position after it, or -1 when it is not all there. */
  private column(buf: Buffer, start: number, block: OpenBlock): number {
    const name = readText(buf, start);
    if (name.pos < 0) return -1;
    const type = readText(buf, name.pos);
    if (type.pos < 0) return -1;
    let end: number;
    if (name.value === BATCH_ID_COLUMN) {
      if (type.value !== 'String') throw new NativeFormatError(`column ${name.value} is ${type.value}, not String`);
      const ids = new Map<string, number>();
      end = countIds(buf, type.pos, block.rows, ids);
      if (end >= 0) block.ids = ids;
    } else end = skipColumn(buf, type.pos, type.value, block.rows);
    if (end < 0) return -1;
    block.names.push(name.value);
    return end;
  }

  /** Records a block once all its columns are parsed. */
  private closeBlock(): void {
    const block = this.open as OpenBlock;
    this.open = undefined;
    if (!block.names.includes(BATCH_ID_COLUMN) && block.rows > 0) throw new NativeFormatError(`a block of ${block.rows} rows has no ${BATCH_ID_COLUMN} column`);
    this.columns ??= block.names;
    if (block.names.join(',') !== this.columns.join(',')) throw new NativeFormatError(`a block's columns (${block.names.join(', ')}) differ from the first block's`);
    for (const [id, n] of block.ids) this.rowsByBatch.set(id, (this.rowsByBatch.get(id) ?? 0) + n);
    this.rows += block.rows;
    this.blocks += 1;
  }
}

/** The value of the last varint varUInt read (a module variable: the walk reads millions, none may allocate). */
let varValue = 0;

/** Reads the LEB128 varint at pos into varValue; returns the position after it, -1 when the buffer ends first. */
function varUInt(buf: Buffer, start: number): number {
  let pos = start;
  if (pos >= buf.length) return -1;
  let byte = buf[pos++];
  let value = byte & 0x7f;
  let scale = 128;
  while (byte >= 0x80) {
    if (pos >= buf.length) return -1;
    byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (scale > 2 ** 63) throw new NativeFormatError('a varint longer than 9 bytes');
  }
  varValue = value;
  return pos;
}

/** A Native string (varint length, then UTF-8) at pos, and the position after it (-1 when the buffer ends first). */
function readText(buf: Buffer, start: number): { value: string; pos: number } {
  const pos = varUInt(buf, start);
  if (pos < 0 || pos + varValue > buf.length) return { value: '', pos: -1 };
  return { value: buf.toString('utf8', pos, pos + varValue), pos: pos + varValue };
}

/** Skips `rows` Native strings at pos; -1 when the buffer ends first. */
function skipStrings(buf: Buffer, start: number, rows: number): number {
  let pos = start;
  for (let i = 0; i < rows; i++) {
    pos = varUInt(buf, pos);
    if (pos < 0) return -1;
    pos += varValue;
  }
  return pos > buf.length ? -1 : pos;
}

/** Skips one column's data of `type` for `rows` rows at pos; -1 when the buffer ends first. */
function skipColumn(buf: Buffer, pos: number, type: string, rows: number): number {
  const fixed = FIXED[type] ?? decimalBytes(type);
  if (fixed !== undefined) return pos + fixed * rows > buf.length ? -1 : pos + fixed * rows;
  if (type === 'String') return skipStrings(buf, pos, rows);
  const fixedString = /^FixedString\((\d+)\)$/.exec(type);
  if (fixedString) {
    const end = pos + Number(fixedString[1]) * rows;
    return end > buf.length ? -1 : end;
  }
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  if (nullable) return pos + rows > buf.length ? -1 : skipColumn(buf, pos + rows, nullable[1], rows);
  const array = /^Array\((.*)\)$/.exec(type);
  if (array) {
    const offsetsEnd = pos + 8 * rows;
    if (offsetsEnd > buf.length) return -1;
    const nested = rows === 0 ? 0 : Number(buf.readBigUInt64LE(offsetsEnd - 8));
    return skipColumn(buf, offsetsEnd, array[1], nested);
  }
  throw new NativeFormatError(`column type ${type} is not one a MarketPrism batch table has`);
}

/**
 * Counts a batch id column's ids into `counts`; returns the position after the column, -1 when the buffer ends
 * first. Rows of a batch are mostly together, so each id is compared byte by byte with the one before it.
 */
function countIds(buf: Buffer, start: number, rows: number, counts: Map<string, number>): number {
  const end = buf.length;
  let pos = start;
  let prevStart = -1;
  let prevLength = -1;
  let run = 0;
  const flush = (): void => {
    if (run === 0) return;
    const id = buf.toString('utf8', prevStart, prevStart + prevLength);
    counts.set(id, (counts.get(id) ?? 0) + run);
  };
  for (let i = 0; i < rows; i++) {
    pos = varUInt(buf, pos);
    if (pos < 0) return -1;
    const length = varValue;
    if (pos + length > end) return -1;
    let same = length === prevLength;
    for (let k = 0; same && k < length; k++) same = buf[pos + k] === buf[prevStart + k];
    if (same) run++;
    else {
      flush();
      prevStart = pos;
      prevLength = length;
      run = 1;
    }
    pos += length;
  }
  flush();
  return pos;
}

/**
 * A counter fed gzip pieces as they arrive (a chunk being exported, or read back): decompressed on zlib's thread
 * pool while the caller goes on, walked here. feed() resolves once zlib can take more; done() returns the counter
 * once every piece is walked. Both throw NativeFormatError for bad gzip or Native.
 */
export class NativeGzipCounter {
  private readonly counter = new NativeBatchCounter();
  // generous buffers on both sides: the source goes on sending while zlib decompresses (on its thread pool) and
  // the walker parses (here); zlib's 16 KiB defaults made the three take turns (docs/performance.md, "Backups")
  private readonly gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES, writableHighWaterMark: GZIP_INPUT_BUFFER_BYTES, readableHighWaterMark: GUNZIP_OUTPUT_BUFFER_BYTES } as ZlibOptions);
  private readonly walked: Promise<void>;

  constructor() {
    this.walked = (async () => {
      try {
        for await (const piece of this.gunzip) this.counter.push(piece as Buffer);
      } catch (err) {
        if (err instanceof NativeFormatError) throw err;
        throw new NativeFormatError(`not valid gzip (${(err as Error).message})`);
      }
    })();
    this.walked.catch(() => undefined); // surfaced by feed() or done()
  }

  async feed(piece: Buffer): Promise<void> {
    for (let i = 0; i < piece.length; i += FEED_BYTES) {
      // a walk that failed stops reading, so 'drain' would never come: whichever settles first
      if (!this.gunzip.write(piece.subarray(i, i + FEED_BYTES))) await Promise.race([once(this.gunzip, 'drain'), this.walked]);
    }
  }

  async done(): Promise<NativeBatchCounter> {
    this.gunzip.end();
    await this.walked;
    return this.counter.end();
  }
}

/** Decompresses a chunk's gzip (streaming, in pieces) into a counter; throws NativeFormatError for bad gzip or Native. */
export async function countNativeGzip(compressed: Buffer): Promise<NativeBatchCounter> {
  const counting = new NativeGzipCounter();
  await counting.feed(compressed);
  return counting.done();
}

const FEED_BYTES = 1 << 20;

/** zlib's output piece size: 16 KiB by default costs a thread-pool round trip per piece (4× slower on 1 M trades). */
export const GUNZIP_CHUNK_BYTES = 1 << 20;

/** Compressed bytes a NativeGzipCounter takes before feed() waits (a sealed chunk is held whole anyway: tens of MB). */
const GZIP_INPUT_BUFFER_BYTES = 32 << 20;
/** Decompressed bytes zlib may get ahead of the walker. */
const GUNZIP_OUTPUT_BUFFER_BYTES = 8 << 20;
