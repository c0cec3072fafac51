import type { Logger } from '../../logging';

interface Window {
  exchange: string;
  dataType: string;
  symbols: string[];
  fetches: number;
  failures: number;
  rowsFetched: number;
  quarantined: number;
  gaps: number;
  /** store → rows written in this window */
  rowsWritten: Record<string, number>;
  /** symbol → newest event time fetched (epoch ms), kept across windows */
  newest: Record<string, number>;
  lastError?: string;
  /** windows in a row without a fetch */
  idle: number;
}

export interface FetchSeen {
  exchange: string;
  dataType: string;
  symbols: string[];
  rows: number;
  quarantined: number;
  gaps: number;
  /** symbol → newest event time after the fetch (its cursor), epoch ms */
  newest: Record<string, number>;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One info line per collector this worker served, every interval (issue item 11): rows fetched and written
 * per store, quarantined items, gaps, failures, and the lag (the age of the newest event of its most lagging
 * symbol). Keyed by the collector's workflow id, which every activity it runs carries. A collector with no
 * fetch in a whole window gets one "no fetch" line and is then forgotten until it fetches again.
 */
export class CollectorSummaries {
  private readonly collectors = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  fetched(workflowId: string, f: FetchSeen): void {
    const w = this.window(workflowId, f.exchange, f.dataType, f.symbols);
    w.fetches += 1;
    w.rowsFetched += f.rows;
    w.quarantined += f.quarantined;
    w.gaps += f.gaps;
    for (const [symbol, t] of Object.entries(f.newest)) w.newest[symbol] = Math.max(t, w.newest[symbol] ?? 0);
  }

  fetchFailed(workflowId: string, exchange: string, dataType: string, symbols: string[], message: string, quarantined = 0): void {
    const w = this.window(workflowId, exchange, dataType, symbols);
    w.failures += 1;
    w.quarantined += quarantined;
    w.lastError = message;
  }

  /** Rows a collector's write put in a store; writes of workflows that fetched nothing here are not summed. */
  written(workflowId: string, store: string, rows: number): void {
    const w = this.collectors.get(workflowId);
    if (w) w.rowsWritten[store] = (w.rowsWritten[store] ?? 0) + rows;
  }

  /** Logs one line per collector and starts a new window. */
  flush(): void {
    const now = this.now();
    for (const [workflowId, w] of this.collectors) {
      const times = w.symbols.map((s) => w.newest[s]).filter((t): t is number => t !== undefined);
      const lagMs = times.length === w.symbols.length && times.length > 0 ? Math.max(0, now - Math.min(...times)) : null;
      const name = `${w.exchange}/${w.dataType}`;
      const fields = { workflowId, exchange: w.exchange, dataType: w.dataType, symbols: w.symbols, lagMs };
      if (w.fetches === 0 && w.failures === 0) {
        w.idle += 1;
        if (w.idle === 1) this.log.info({ ...fields, windowMs: this.intervalMs }, `collector ${name}: no fetch in the last ${seconds(this.intervalMs)}${lagMs === null ? '' : `, lag ${seconds(lagMs)}`}`);
        else this.collectors.delete(workflowId);
        continue;
      }
      const written = Object.entries(w.rowsWritten).map(([store, n]) => `${store} ${n}`).join(', ');
      const parts = [
        `${w.rowsFetched} rows fetched in ${w.fetches} fetch(es)`,
        `written ${written || 'nothing'}`,
        `lag ${lagMs === null ? 'unknown' : seconds(lagMs)}`,
        ...(w.quarantined ? [`${w.quarantined} quarantined`] : []),
        ...(w.gaps ? [`${w.gaps} gap(s)`] : []),
        ...(w.failures ? [`${w.failures} failed fetch(es), last: ${w.lastError}`] : []),
      ];
      this.log.info(
        { ...fields, fetches: w.fetches, failures: w.failures, rowsFetched: w.rowsFetched, rowsWritten: w.rowsWritten, quarantined: w.quarantined, gaps: w.gaps, windowMs: this.intervalMs },
        `collector ${name}: ${parts.join('; ')}`,
      );
      Object.assign(w, { fetches: 0, failures: 0, rowsFetched: 0, quarantined: 0, gaps: 0, rowsWritten: {}, idle: 0, lastError: undefined });
    }
  }

  private window(workflowId: string, exchange: string, dataType: string, symbols: string[]): Window {
    let w = this.collectors.get(workflowId);
    if (!w) {
      w = { exchange, dataType, symbols, fetches: 0, failures: 0, rowsFetched: 0, quarantined: 0, gaps: 0, rowsWritten: {}, newest: {}, idle: 0 };
      this.collectors.set(workflowId, w);
    }
    w.symbols = symbols;
    w.idle = 0;
    return w;
  }
}
