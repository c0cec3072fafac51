import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logging';
import type { WorkerHealth } from './health';

export interface MetricsSources {
  /** MarketPrism's metrics, Prometheus text format */
  marketprism(): Promise<string>;
  /** the Temporal SDK's own exporter (runtime.ts), fetched and served along */
  sdkMetricsUrl?: string;
  health(): WorkerHealth;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

const SDK_FETCH_TIMEOUT_MS = 2_000;

async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(SDK_FETCH_TIMEOUT_MS) });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    const text = await res.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${(err as Error).message}\n`;
  }
}

/**
 * One scrape target per worker process (issue item 12): GET /metrics serves MarketPrism's metrics and the
 * Temporal SDK's, GET /health answers 200 while every worker's pollers run and 503 otherwise, with the
 * pollers' states as JSON. Listens on host:port (port 0: a free one); resolves with the port.
 */
export async function serveMetrics(sources: MetricsSources, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      const health = sources.health();
      res.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(health)}\n`);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n');
      return;
    }
    Promise.all([sources.marketprism(), sdkMetrics(sources.sdkMetricsUrl)]).then(
      ([own, sdk]) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(own + sdk),
      (err: unknown) => {
        log.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(err as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`metrics port ${host}:${port} is in use; pick another with --metrics-port or metrics.port (0: a free port)`) : err),
    );
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
