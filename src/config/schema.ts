import { z } from 'zod';
import { DATA_TYPES } from '../domain/data-types';
import { MIN_COLLECT_INTERVAL_MS } from '../domain/fetch';
import { isSymbolSelector, parseSymbolSelector } from '../domain/symbol-selector';
import { reliabilityOverridesSchema } from './reliability-overrides';
import { WORKER_DEFAULTS, workerSchema } from './worker-options';
import { DURATION_PATTERN, parseDuration } from './duration';
import { DEFAULT_PORTS, LOOPBACK } from './ports';

/** Re-exported: callers import duration parsing from here. */
export { DURATION_PATTERN, parseDuration };

const duration = z.string().regex(DURATION_PATTERN, 'a duration like 500ms, 1s, 5m, 1h or 30d');
/** Identifiers end up in SQL and workflow ids, so they are held to a strict pattern. */
export const IDENTIFIER = /^[a-z][a-z0-9_-]{0,62}$/;
const identifier = z.string().regex(IDENTIFIER, 'lowercase letters, digits, - or _, starting with a letter');
const port = z.number().int().min(1).max(65535);
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL like http://127.0.0.1:8123');

export const storeSchema = z.strictObject({
  id: identifier,
  url: httpUrl,
  /** native TCP port; only used when MarketPrism runs the store itself (services up) */
  tcpPort: port.optional(),
  database: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/, 'a ClickHouse database name: letters, digits and _'),
  username: z.string().min(1).default('default'),
  /** whether `services up` runs this store locally (Debian clickhouse-server) */
  managed: z.boolean().default(true),
  /**
   * gzip of request and response bodies: `auto` (the default) only for a store that is not on this host, where
   * bytes on the wire cost more than the CPU to pack them; on loopback the packing is pure cost (docs/performance.md)
   */
  compression: z.enum(['auto', 'on', 'off']).optional(),
});

export const exchangeSchema = z.strictObject({
  /** passed to the ccxt constructor as `options` (e.g. fetchMarkets types) */
  options: z.record(z.string(), z.unknown()).default({}),
  /** ccxt `urls.api` override: where the exchange's REST API lives (the simulator in the default config) */
  api: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  /** HTTP timeout for one request */
  timeout: duration.default('10s'),
  /**
   * ccxt's own request spacing by each endpoint's weight (on by default: it keeps a real exchange's IP limits).
   * Off only where nothing limits requests, such as the simulator in a throughput bench; MarketPrism's
   * per-exchange token buckets (reliability.rateLimits) still apply.
   */
  enableRateLimit: z.boolean().default(true),
});

export const collectorSchema = z.strictObject({
  exchange: identifier,
  types: z.array(z.enum([...DATA_TYPES, 'all'])).min(1),
  /** ccxt unified symbols, or one selector such as all:swap (src/domain/symbol-selector.ts) */
  symbols: z
    .array(z.string().min(1))
    .min(1)
    .superRefine((symbols, ctx) => {
      const selectors = symbols.filter(isSymbolSelector);
      if (selectors.length === 0) return;
      if (symbols.length > 1) return void ctx.addIssue({ code: 'custom', message: `a selector (${selectors[0]}) stands alone: write [${selectors[0]}] or list symbols` });
      try {
        parseSymbolSelector(selectors[0]);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  interval: duration.default('1s').refine((text) => !DURATION_PATTERN.test(text) || parseDuration(text) >= MIN_COLLECT_INTERVAL_MS, `at least ${MIN_COLLECT_INTERVAL_MS}ms (an exchange admits 10 collection calls a second)`),
  /** with a selector: symbols per collector workflow (default 50) and how often markets reload (default 5m) */
  symbolsPerCollector: z.number().int().min(1).max(500).optional(),
  reloadMarkets: duration.optional(),
});

/** Backups (docs/backups.md): where they are kept, and the schedule `marketprism up` creates. */
export const backupSchema = z.strictObject({
  /** local: a directory (`dir`, default <dataDir>/backups); s3: an S3-compatible bucket (`s3`) */
  target: z.enum(['local', 's3']).default('local'),
  dir: z.string().min(1).optional(),
  s3: z
    .strictObject({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lowercase letters, digits, . or -'),
      /** an S3-compatible endpoint (MinIO, moto, Ceph...); absent = AWS for the region */
      endpoint: httpUrl.optional(),
      region: z.string().min(1).default('us-east-1'),
      /** object names start with this (no leading /) */
      prefix: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, "empty, or folders ending in '/', like marketprism/").default('marketprism/'),
      /** path-style URLs (bucket in the path), which most S3-compatible servers need */
      forcePathStyle: z.boolean().default(true),
    })
    .optional(),
  /** a new full backup once the chain's full one is this old, so retention can drop whole old chains */
  fullEvery: duration.default('1d'),
  schedule: z
    .strictObject({
      /** whether `marketprism up` creates the backup and retention schedules */
      enabled: z.boolean().default(true),
      every: duration.default('1h'),
      /** backups older than this are deleted (never one a kept backup needs as a parent) */
      retention: duration.default('30d'),
      /** each run starts up to this much after its slot, so many deployments do not hit storage at once */
      jitter: duration.default('1m'),
      /** runs missed while the Temporal server was down are started late if they are at most this late */
      catchupWindow: duration.default('1h'),
    })
    .default({ enabled: true, every: '1h', retention: '30d', jitter: '1m', catchupWindow: '1h' }),
});

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).default('.marketprism'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** auto: pretty on a terminal, JSON lines otherwise; json; pretty (docs/operations.md) */
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** how often a worker logs one summary line per collector it served (rows, lag) */
  logSummaryInterval: duration.default('60s'),
  /** every worker serves Prometheus metrics and a health check here (docs/operations.md) */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** 127.0.0.1 for this machine only; 0.0.0.0 where a scraper runs elsewhere (containers) */
      host: z.string().regex(/^[0-9a-zA-Z.:-]+$/, 'an address to listen on, like 127.0.0.1 or 0.0.0.0').default(LOOPBACK),
      /** 0: a free port (logged at start) */
      port: z.number().int().min(0).max(65535).default(DEFAULT_PORTS.metrics),
    })
    .default({ enabled: true, host: LOOPBACK, port: DEFAULT_PORTS.metrics }),
  /** slots, tuner, shutdown grace and heartbeat of every worker process (src/config/worker-options.ts, docs/operations.md) */
  worker: workerSchema.default(WORKER_DEFAULTS),
  temporal: z.strictObject({
    address: z.string().regex(/^[^\s:]+:\d+$/, 'host:port like 127.0.0.1:7233'),
    namespace: z.string().min(1).default('default'),
    uiPort: port.default(DEFAULT_PORTS.temporalUi),
    /** the codec server's port: the local UI decodes the compressed payloads through it (docs/design.md) */
    codecPort: port.default(DEFAULT_PORTS.codecServer),
    /** whether `services up` runs a local dev server */
    managed: z.boolean().default(true),
  }),
  stores: z.array(storeSchema).min(1),
  writeQuorum: z.number().int().min(1).default(2),
  simulator: z.strictObject({
    enabled: z.boolean().default(true),
    port: port.default(DEFAULT_PORTS.simulator),
    seed: z.number().int().default(42),
    tradesPerSecond: z.number().positive().max(10_000).default(5),
    /** also list okx DEC/USDT and TINY/USDT, whose decimals ClickHouse's Float64 parser can misread (docs/simulator.md) */
    decimalQuirks: z.boolean().default(false),
    /** generated listings per exchange (okx, binance, binanceusdm, bybit) beside the fixed ones, for collecting at scale (docs/simulator.md) */
    instruments: z.number().int().min(0).max(5_000).default(0),
  }),
  exchanges: z.record(identifier, exchangeSchema).default({}),
  collectors: z.array(collectorSchema).default([]),
  /** overrides of the reliability policies (src/reliability/policies.ts), see docs/reliability.md */
  reliability: reliabilityOverridesSchema.default({}),
  backup: backupSchema.default({ target: 'local', fullEvery: '1d', schedule: { enabled: true, every: '1h', retention: '30d', jitter: '1m', catchupWindow: '1h' } }),
  alerts: z
    .strictObject({
      /** optional: every raised/resolved alert is also POSTed here as JSON */
      webhookUrl: httpUrl.optional(),
    })
    .default({}),
});

export type Config = z.infer<typeof configSchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
export type ExchangeConfig = z.infer<typeof exchangeSchema>;
export type CollectorConfig = z.infer<typeof collectorSchema>;
export type BackupConfig = z.infer<typeof backupSchema>;
