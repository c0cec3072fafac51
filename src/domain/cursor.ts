/**
 * Where collection stands for one symbol, for every data type: the newest event time already written and
 * the keys (trade id, liquidation id, or the time itself for one-per-instant series) seen at that time.
 * A collector's cursor moves only after the batch that advanced it is at quorum.
 *
 * Cursors travel through workflow history and continue-as-new, so the type only ever gains optional fields:
 * a cursor written before a field existed still reads (lastIdOf falls back to idsAtLastTime; a missing lastSeq
 * means "no sequence known yet").
 */
export interface Cursor {
  /** epoch ms of the newest item taken */
  lastTime: number;
  /** keys of the items taken at lastTime */
  idsAtLastTime: string[];
  /**
   * For exchanges paged by id (binance `fromId`, okx `before`): the highest id taken, as a decimal string.
   * Freshness and the next request follow it, not the time: a binance aggregate trade can carry a higher id
   * and an earlier time than the one before it (ccxt #8329).
   */
  lastId?: string;
  /**
   * The exchange's per-instrument sequence number of the newest item taken (decimal string), where gaps are
   * detected on one: deribit's trade_seq, the trade id itself on okx and binance (venues/*.ts, tradeSequence).
   */
  lastSeq?: string;
}

/** Per symbol (ccxt unified symbol → cursor). */
export type Cursors = Record<string, Cursor>;

/**
 * What decides that an item is new, and in which order items are taken:
 *  - time: the event time, then the key (every series, and trades paged by time or latest-only);
 *  - id: the key as an integer id (trades of exchanges paged by id), whatever the time says.
 */
export type CursorOrder = 'time' | 'id';

/** Where one item stands: its event time, its key, and the exchange's sequence number where it has one. */
export interface Position {
  time: number;
  key: string;
  seq?: string;
}

/** Numeric-aware id order: sequential exchange ids compare as integers, others as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const maxId = (ids: ReadonlyArray<string | undefined>): string | undefined =>
  ids.reduce<string | undefined>((max, id) => (id === undefined || (max !== undefined && compareIds(max, id) >= 0) ? max : id), undefined);

/** Items strictly after the cursor in time order: later time, or the cursor's time with a key not yet seen. */
export function newerThan(cursor: Cursor | undefined, time: number, key: string): boolean {
  if (!cursor) return true;
  if (time !== cursor.lastTime) return time > cursor.lastTime;
  return !cursor.idsAtLastTime.includes(key);
}

/** The highest id the cursor has taken: `lastId`, else (cursors written before it existed) the highest id at its last time. */
export function lastIdOf(cursor: Cursor | undefined): string | undefined {
  return cursor?.lastId ?? maxId(cursor?.idsAtLastTime ?? []);
}

/** Whether `item` comes after the cursor in `order` (id order needs integer ids; otherwise time order decides). */
export function isFresh(cursor: Cursor | undefined, item: Position, order: CursorOrder): boolean {
  if (!cursor) return true;
  const lastId = order === 'id' ? lastIdOf(cursor) : undefined;
  if (lastId !== undefined && /^\d+$/.test(lastId) && /^\d+$/.test(item.key)) return compareIds(item.key, lastId) > 0;
  return newerThan(cursor, item.time, item.key);
}

/** The order items are taken in: by id, or by time then key. */
export function comparePositions(order: CursorOrder): (a: Position, b: Position) => number {
  return order === 'id' ? (a, b) => compareIds(a.key, b.key) || a.time - b.time : (a, b) => a.time - b.time || compareIds(a.key, b.key);
}

/**
 * The cursor after taking `items` (in the order they were taken). The newest time and the keys at it always
 * follow (collector status reads them); in id order `lastId` becomes the highest id taken; `lastSeq` becomes the
 * highest sequence number taken. Fields of the cursor that `items` do not touch are kept.
 */
export function advance(cursor: Cursor | undefined, items: readonly Position[], order: CursorOrder = 'time'): Cursor | undefined {
  let next = cursor;
  for (const { time, key } of items) {
    if (!next || time > next.lastTime) next = { ...next, lastTime: time, idsAtLastTime: [key] };
    else if (time === next.lastTime && !next.idsAtLastTime.includes(key)) next = { ...next, idsAtLastTime: [...next.idsAtLastTime, key] };
  }
  if (!next || items.length === 0) return next;
  return passOver(next, items, order);
}

/**
 * The cursor moved past items without their time (quarantined ones: their time may be the bad value): only
 * `lastId` (in id order) and `lastSeq` move, so the exchange is not asked for them again and their numbers do
 * not read as a gap.
 */
export function passOver(cursor: Cursor, items: ReadonlyArray<{ key?: string; seq?: string }>, order: CursorOrder): Cursor {
  const lastId = order === 'id' ? maxId([lastIdOf(cursor), ...items.map((i) => i.key)].filter((id) => id === undefined || /^\d+$/.test(id))) : undefined;
  const lastSeq = maxId([cursor.lastSeq, ...items.map((i) => i.seq)]);
  return { ...cursor, ...(lastId !== undefined && { lastId }), ...(lastSeq !== undefined && { lastSeq }) };
}

/** The newest event time over all symbols' cursors, or null before the first item. */
export function newestTime(cursors: Cursors): number | null {
  return Object.values(cursors).reduce<number | null>((max, c) => (max === null || c.lastTime > max ? c.lastTime : max), null);
}

/**
 * Per symbol, the newest of several cursors (e.g. where each store's data ends): the greatest lastTime, with the
 * keys at that time merged when two agree on it. Symbols absent from every input are absent. Pure: workflows use it.
 */
export function newestCursors(all: readonly Cursors[]): Cursors {
  const out: Cursors = {};
  for (const cursors of all) {
    for (const [symbol, c] of Object.entries(cursors)) {
      const held = out[symbol];
      if (held && held.lastTime > c.lastTime) continue;
      out[symbol] = held && held.lastTime === c.lastTime
        ? { lastTime: c.lastTime, idsAtLastTime: [...new Set([...held.idsAtLastTime, ...c.idsAtLastTime])].sort() }
        : { lastTime: c.lastTime, idsAtLastTime: [...c.idsAtLastTime] };
    }
  }
  return out;
}
