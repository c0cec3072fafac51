import type { Instrument } from './instruments';

/**
 * Snapshot data (books, tickers, funding, open interest) depends on the exact moment it was served, so the
 * simulator remembers what it served; ground truth for these types is this log. Bounded per stream so a
 * long-running simulator does not grow without limit.
 */
export const SNAPSHOT_TYPES = ['orderbook', 'ticker', 'funding_rate', 'open_interest'] as const;
export type SnapshotType = (typeof SNAPSHOT_TYPES)[number];

export type SnapshotRecord = { timestamp: number } & Record<string, unknown>;

const MAX_RECORDS_PER_STREAM = 10_000;

export class EmittedLog {
  private readonly streams = new Map<string, SnapshotRecord[]>();

  private static key(type: SnapshotType, inst: Instrument): string {
    return `${inst.exchange}|${type}|${inst.type}|${inst.id}`;
  }

  record(type: SnapshotType, inst: Instrument, record: SnapshotRecord): void {
    const key = EmittedLog.key(type, inst);
    let list = this.streams.get(key);
    if (!list) this.streams.set(key, (list = []));
    list.push(record);
    if (list.length > MAX_RECORDS_PER_STREAM) list.splice(0, list.length - MAX_RECORDS_PER_STREAM);
  }

  between(type: SnapshotType, inst: Instrument, from: number, to: number): SnapshotRecord[] {
    return (this.streams.get(EmittedLog.key(type, inst)) ?? []).filter((r) => r.timestamp >= from && r.timestamp <= to);
  }

  clear(): void {
    this.streams.clear();
  }
}
