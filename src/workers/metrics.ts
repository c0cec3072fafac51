import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from '../config/ports';
import type { BreakerState, StateChange } from '../reliability/circuit-breaker';
import type { WorkerReliability } from './reliability';

const STATE_VALUE: Record<BreakerState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/**
 * The worker's reliability state in Prometheus text format: breaker state per dependency, how often each
 * breaker changed state, and each exchange's current adaptive rate. Breakers live in each worker process,
 * so this is where a scraper (or an operator with curl) sees them.
 */
export class WorkerMetrics {
  private readonly transitions = new Map<string, number>();

  constructor(private readonly reliability: WorkerReliability) {
    reliability.breakers.onStateChange((change: StateChange) => {
      const key = `${change.dependency}\u0000${change.to}`;
      this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    });
  }

  render(): string {
    const lines = [
      '# HELP marketprism_breaker_state Circuit breaker state per dependency (0 closed, 1 half-open, 2 open).',
      '# TYPE marketprism_breaker_state gauge',
      ...this.reliability.breakers.snapshot().map((b) => `marketprism_breaker_state{dependency="${b.dependency}"} ${STATE_VALUE[b.state]}`),
      '# HELP marketprism_breaker_transitions_total Circuit breaker state changes, by the state entered.',
      '# TYPE marketprism_breaker_transitions_total counter',
      ...[...this.transitions].map(([key, n]) => {
        const [dependency, to] = key.split('\u0000');
        return `marketprism_breaker_transitions_total{dependency="${dependency}",to="${to}"} ${n}`;
      }),
      '# HELP marketprism_rate_limit_rps Current adaptive request rate per exchange and priority class.',
      '# TYPE marketprism_rate_limit_rps gauge',
      ...this.reliability.rateLimiters
        .snapshot()
        .flatMap((l) => Object.entries(l.rates).map(([priority, rate]) => `marketprism_rate_limit_rps{exchange="${l.exchange}",priority="${priority}"} ${rate}`)),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Serves GET /metrics on 127.0.0.1:port (0 picks a free port); resolves with the port. */
  async listen(port: number): Promise<{ port: number; close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('try /metrics\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.render());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, resolve);
    });
    return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }
}
