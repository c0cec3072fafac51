import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState, StateChange } from '../../reliability/circuit-breaker';
import type { WorkerReliability } from '../reliability';
import type { BackupCatalogView } from './backup-catalog';

const STATE_VALUE: Record<BreakerState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/** A lag series nobody refreshed for this long is dropped: its collector stopped or moved to another worker. */
export const LAG_FORGET_MS = 15 * 60_000;

/**
 * Where the repair backlog comes from (repair-backlog.ts); absent on workers that do not serve storage.
 * Both repair gauges call read() in the same scrape: it must answer both from one look-up.
 */
export interface RepairBacklogSource {
  read(): Promise<Array<{ store: string; pending: number; failed: number }>>;
}

/**
 * MarketPrism's own metrics of one worker process (issue item 12), in a prom-client registry of its own so
 * that several workers in one process (tests) do not share counters. docs/operations.md says what each
 * metric means and how to aggregate it over worker processes. Counters are fed by the activity metrics
 * interceptor (interceptors/activity-metrics.ts); gauges of reliability state are read at scrape time.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly newest = new Map<string, { exchange: string; dataType: string; symbol: string; eventTime: number; seenAt: number }>();

  readonly rowsFetched = new Counter({
    name: 'marketprism_rows_fetched_total',
    help: 'Market rows fetched from an exchange (new rows only, after dedupe against the cursor).',
    labelNames: ['exchange', 'data_type'] as const,
    registers: [this.registry],
  });

  readonly rowsWritten = new Counter({
    name: 'marketprism_rows_written_total',
    help: 'Rows written to a store by insertBatch or insertStaged (not counting batches the store already held), by table: market data types, quarantine, collection_gaps.',
    labelNames: ['exchange', 'table', 'store'] as const,
    registers: [this.registry],
  });

  readonly batchesWritten = new Counter({
    name: 'marketprism_batches_written_total',
    help: 'Batches insertBatch or insertStaged finished, by outcome: written, or already_present (the store ledger held it: a retry or a repair).',
    labelNames: ['table', 'store', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly batchWriteSeconds = new Histogram({
    name: 'marketprism_batch_write_seconds',
    help: 'Time insertBatch or insertStaged took to write one batch to one store (successful writes), seconds.',
    labelNames: ['table', 'store'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly fetchSeconds = new Histogram({
    name: 'marketprism_fetch_seconds',
    help: 'Time one successful fetch activity took (every symbol of the collector, all pages), seconds.',
    labelNames: ['exchange', 'data_type'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly quarantined = new Counter({
    name: 'marketprism_quarantined_items_total',
    help: 'Exchange items quarantined with their raw payload: malformed items and unparseable responses.',
    labelNames: ['exchange', 'data_type'] as const,
    registers: [this.registry],
  });

  readonly gaps = new Counter({
    name: 'marketprism_gaps_total',
    help: 'Ranges the exchange could no longer serve, recorded in collection_gaps.',
    labelNames: ['exchange', 'data_type'] as const,
    registers: [this.registry],
  });

  readonly activityFailures = new Counter({
    name: 'marketprism_activity_failures_total',
    help: 'Failed activity attempts, by activity type, dependency and error class (docs/reliability.md).',
    labelNames: ['activity_type', 'dependency', 'error_class'] as const,
    registers: [this.registry],
  });

  private readonly breakerTransitions = new Counter({
    name: 'marketprism_breaker_transitions_total',
    help: 'Circuit breaker state changes, by the state entered.',
    labelNames: ['dependency', 'to'] as const,
    registers: [this.registry],
  });

  constructor(
    reliability: WorkerReliability,
    private readonly repairBacklog?: RepairBacklogSource,
    private readonly now: () => number = Date.now,
    backups?: { read(): Promise<BackupCatalogView | undefined> },
  ) {
    collectDefaultMetrics({ register: this.registry });
    reliability.breakers.onStateChange((change: StateChange) => this.breakerTransitions.inc({ dependency: change.dependency, to: change.to }));

    new Gauge({
      name: 'marketprism_breaker_state',
      help: 'Circuit breaker state per dependency (0 closed, 1 half-open, 2 open).',
      labelNames: ['dependency'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const b of reliability.breakers.snapshot()) this.set({ dependency: b.dependency }, STATE_VALUE[b.state]);
      },
    });
    new Gauge({
      name: 'marketprism_rate_limit_rps',
      help: 'Current adaptive request rate per exchange and priority class, requests per second.',
      labelNames: ['exchange', 'priority'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const l of reliability.rateLimiters.snapshot()) for (const [priority, rate] of Object.entries(l.rates)) this.set({ exchange: l.exchange, priority }, rate);
      },
    });
    new Gauge({
      name: 'marketprism_dependency_held_seconds',
      help: 'How much longer calls to a failing dependency wait at its recovery gate (0: not held), seconds.',
      labelNames: ['dependency'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const g of reliability.gates.snapshot()) this.set({ dependency: g.dependency }, g.remainingMs / 1000);
      },
    });
    const newest = this.newest;
    const clock = this.now;
    new Gauge({
      name: 'marketprism_collector_lag_seconds',
      help: 'Time since the newest event this worker fetched, per exchange, data type and symbol, seconds (take the min over workers).',
      labelNames: ['exchange', 'data_type', 'symbol'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const t = clock();
        for (const [key, n] of newest) {
          if (t - n.seenAt > LAG_FORGET_MS) newest.delete(key);
          else this.set({ exchange: n.exchange, data_type: n.dataType, symbol: n.symbol }, Math.max(0, (t - n.eventTime) / 1000));
        }
      },
    });
    if (backups) this.backupGauges(backups);
    if (repairBacklog) {
      new Gauge({
        name: 'marketprism_repair_backlog_batches',
        help: 'Batches a store missed and its ReplicaRepairWorkflow has yet to copy (status query), per store.',
        labelNames: ['store'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const r of await repairBacklog.read()) this.set({ store: r.store }, r.pending);
        },
      });
      new Gauge({
        name: 'marketprism_repair_failed_batches',
        help: 'Batches the ReplicaRepairWorkflow of a store gave up on (kept in its status), per store.',
        labelNames: ['store'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const r of await repairBacklog.read()) this.set({ store: r.store }, r.failed);
        },
      });
    }
  }

  /** Backup age and size (workers that serve the backup queue), read from the backup store's catalog when scraped. */
  private backupGauges(backups: { read(): Promise<BackupCatalogView | undefined> }): void {
    const clock = this.now;
    new Gauge({
      name: 'marketprism_backup_age_seconds',
      help: 'Time since the newest verified backup completed, seconds (alert when it exceeds the schedule interval by a margin).',
      registers: [this.registry],
      async collect() {
        this.reset();
        const view = await backups.read();
        if (view?.newestVerified) this.set(Math.max(0, (clock() - view.newestVerified.completedAt) / 1000));
      },
    });
    new Gauge({
      name: 'marketprism_backup_size_bytes',
      help: 'Bytes of backups in the backup store: the newest verified backup (which=newest) and all of them (which=all).',
      labelNames: ['which'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const view = await backups.read();
        if (!view) return;
        if (view.newestVerified) this.set({ which: 'newest' }, view.newestVerified.bytes);
        this.set({ which: 'all' }, view.totalBytes);
      },
    });
    new Gauge({
      name: 'marketprism_backups',
      help: 'Backups in the backup store, by state (verified, unverified, bad, incomplete).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const view = await backups.read();
        for (const [state, n] of Object.entries(view?.counts ?? {})) this.set({ state }, n);
      },
    });
  }

  /** The newest event time fetched for one symbol (its cursor after a fetch), for the lag gauge. */
  sawEvent(exchange: string, dataType: string, symbol: string, eventTime: number): void {
    const key = `${exchange}\u0000${dataType}\u0000${symbol}`;
    const known = this.newest.get(key);
    this.newest.set(key, { exchange, dataType, symbol, eventTime: Math.max(eventTime, known?.eventTime ?? 0), seenAt: this.now() });
  }

  /** Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
