/**
 * Where collection stands for one symbol, for every data type: the newest event time already written and
 * the keys (trade id, liquidation id, or the time itself for one-per-instant series) seen at that time.
 * A collector's cursor moves only after the batch that advanced it is at quorum.
 */
export interface Cursor {
  /** epoch ms of the newest item taken */
  lastTime: number;
  /** keys of the items taken at lastTime */
  idsAtLastTime: string[];
}

/** Per symbol (ccxt unified symbol → cursor). */
export type Cursors = Record<string, Cursor>;

/** Numeric-aware id order: sequential exchange ids compare as integers, others as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Items strictly after the cursor: later time, or the cursor's time with a key not yet seen. */
export function newerThan(cursor: Cursor | undefined, time: number, key: string): boolean {
  if (!cursor) return true;
  if (time !== cursor.lastTime) return time > cursor.lastTime;
  return !cursor.idsAtLastTime.includes(key);
}

/** The cursor after taking `items` (sorted oldest first). */
export function advance(cursor: Cursor | undefined, items: ReadonlyArray<{ time: number; key: string }>): Cursor | undefined {
  let next = cursor;
  for (const { time, key } of items) {
    if (!next || time > next.lastTime) next = { lastTime: time, idsAtLastTime: [key] };
    else if (time === next.lastTime && !next.idsAtLastTime.includes(key)) next = { ...next, idsAtLastTime: [...next.idsAtLastTime, key] };
  }
  return next;
}

/** The highest id the cursor has seen (ids at its last time), for exchanges that page by id. */
export function lastIdOf(cursor: Cursor | undefined): string | undefined {
  if (!cursor?.idsAtLastTime.length) return undefined;
  return [...cursor.idsAtLastTime].sort(compareIds).at(-1);
}

/** The newest event time over all symbols' cursors, or null before the first item. */
export function newestTime(cursors: Cursors): number | null {
  return Object.values(cursors).reduce<number | null>((max, c) => (max === null || c.lastTime > max ? c.lastTime : max), null);
}
