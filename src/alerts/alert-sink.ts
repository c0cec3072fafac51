import type { Config } from '../config/schema';
import type { Logger } from '../logging';
import { storeClient } from '../storage/client';
import type { AlertRow, AlertSeverity } from '../storage/records';
import { insertRows } from '../storage/table-io';
import { ALERTS_TABLE } from '../storage/tables';

export interface AlertInput {
  /** dedup key: one alert per key, e.g. `breaker:exchange:okx`, `quorum:write/<batch>` */
  key: string;
  severity: AlertSeverity;
  /** what raised it: a workflow id, a worker, a dependency */
  source: string;
  message: string;
}

/**
 * Where alerts go: the pino log, the `alerts` table of every reachable store (an alert about one store must
 * be visible while that store is down), and an optional webhook. Delivery is best effort on each channel:
 * a failing channel is logged, never thrown, so raising an alert cannot itself fail the work that raised it.
 */
export class AlertSink {
  /** keys this process has open, so a repeating condition (a breaker re-opening) is raised once */
  private readonly open = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  async raise(alert: AlertInput): Promise<boolean> {
    if (this.open.has(alert.key)) return false;
    this.open.add(alert.key);
    const now = Date.now();
    this.log.warn({ alert: alert.key, severity: alert.severity, source: alert.source }, `ALERT ${alert.severity}: ${alert.message}`);
    await this.deliver({ ...alert, raisedAt: now, resolvedAt: 0, state: 'open', updatedAt: now });
    return true;
  }

  /** Whether this process raised the alert and has not resolved it. */
  isOpen(key: string): boolean {
    return this.open.has(key);
  }

  /** Resolves by key; written even when another process raised it (alerts from workflows move between workers). */
  async resolve(key: string, source: string, message = 'resolved'): Promise<void> {
    this.open.delete(key);
    const now = Date.now();
    this.log.info({ alert: key, source }, `alert resolved: ${key}`);
    await this.deliver({ key, severity: 'info', source, message, raisedAt: 0, resolvedAt: now, state: 'resolved', updatedAt: now });
  }

  private async deliver(row: AlertRow): Promise<void> {
    const writes = this.config.stores.map(async (store) => {
      try {
        await insertRows(storeClient(store), store.database, ALERTS_TABLE, [row]);
      } catch (err) {
        this.log.debug({ store: store.id, err }, 'alert not written to store');
      }
    });
    const url = this.config.alerts.webhookUrl;
    if (url) {
      writes.push(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row), signal: AbortSignal.timeout(5_000) })
          .then((res) => {
            if (!res.ok) this.log.warn({ status: res.status }, 'alert webhook refused the alert');
          })
          .catch((err: unknown) => this.log.warn({ err }, 'alert webhook unreachable')),
      );
    }
    await Promise.all(writes);
  }
}
