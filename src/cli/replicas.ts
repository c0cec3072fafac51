import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../config/schema';
import type { Config } from '../config/schema';
import { BATCH_TABLES, isBatchTable, type BatchTable } from '../domain/batch';
import { closeStoreClients } from '../storage/client';
import { temporalClient } from '../client/client';
import { repairReplicas, repairStatus } from '../client/replicas';
import { checkReplicas, DEFAULT_DIFFERING_ROWS, type ReplicaCheck, type TableDifference, type UnreachableStore } from '../storage/replica-check';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';

interface CheckOptions extends GlobalOptions {
  table?: string;
  since?: string;
  rows?: string;
}

/** --rows: how many differing keys to list per differing (table, day). */
export function parseRowLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DIFFERING_ROWS;
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`--rows '${text}' is not a count; give a whole number like 10 (0 lists no rows)`);
  return Number(text);
}

/** --since: epoch ms (digits only) or a duration back from now (`1h`, `30m`, `7d`). */
export function parseSince(text: string, now = Date.now()): number {
  if (/^\d+$/.test(text)) return Number(text);
  try {
    return Math.max(0, now - parseDuration(text));
  } catch {
    throw new UsageError(`--since '${text}' is neither epoch milliseconds nor a duration; write it like 1700000000000, 90m or 7d`);
  }
}

export function parseTable(text: string | undefined): BatchTable | undefined {
  if (text === undefined) return undefined;
  if (!isBatchTable(text)) throw new UsageError(`--table '${text}' is not a data type; use one of ${BATCH_TABLES.join(', ')}`);
  return text;
}

function parseStores(config: Config, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  const known = config.stores.map((s) => s.id);
  const bad = ids.find((id) => !known.includes(id));
  if (bad || ids.length === 0) throw new UsageError(`--store '${text}': unknown store; use one of ${known.join(', ')}`);
  return ids;
}

/** Exit code when a store could not be compared (it did not answer); 1 means the compared stores differ. */
export const REPLICAS_INCOMPLETE = 3;

/** One line naming the stores that did not answer, or nothing. */
function describeUnreachable(unreachable: readonly UnreachableStore[], compared: string): string[] {
  if (unreachable.length === 0) return [];
  const names = unreachable.map((u) => `${u.store} (${u.error})`).join(', ');
  return [`${unreachable.length === 1 ? 'store' : 'stores'} not answering, left out: ${names}; ${compared}`];
}

function describeCheck(check: ReplicaCheck): string {
  const compared = check.tables[0]?.stores.map((s) => s.store) ?? [];
  const head = describeUnreachable(check.unreachable, `compared ${compared.join(', ')} only`);
  return [...head, describeComparison(check)].join('\n');
}

function describeComparison(check: ReplicaCheck): string {
  const dayText = (day: number | null): string => (day === null ? 'all' : String(day));
  const differing = check.tables.filter((t) => !t.identical);
  if (differing.length === 0) return `stores identical: ${check.tables.map((t) => `${t.table} ${t.stores[0]?.rows ?? 0}`).join(', ')} rows`;
  const rows = [['TABLE', 'DAY', ...check.tables[0].stores.map((s) => s.store)]];
  const keys: string[] = [];
  for (const t of differing) {
    for (const d of t.differences) {
      rows.push([t.table, dayText(d.day), ...d.stores.map((s) => (s.error ? `error: ${s.error}` : `${s.rows} rows #${s.checksum}`))]);
      keys.push(...describeRows(t.table, d));
    }
  }
  return [`stores differ in ${differing.map((t) => t.table).join(', ')}:`, table(rows), ...(keys.length ? ['differing rows (natural key: what differs):', ...keys] : [])].join('\n');
}

/** One line per differing natural key of a (table, day): which stores lack it, which hold other values. */
function describeRows(tableName: string, d: TableDifference): string[] {
  const prefix = `  ${tableName} ${d.day ?? 'all'}`;
  if (d.rowsError) return [`${prefix}: rows not listed: ${d.rowsError}`];
  const lines = (d.rows ?? []).map((r) => {
    const key = Object.entries(r.key).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    const held = Object.entries(r.stores).filter(([, h]) => h !== null) as Array<[string, string]>;
    const missing = Object.entries(r.stores).filter(([, h]) => h === null).map(([s]) => s);
    const what = [
      ...(missing.length ? [`missing on ${missing.join(', ')}`] : []),
      ...(new Set(held.map(([, h]) => h)).size > 1 ? [`values differ: ${held.map(([s, h]) => `${s} #${h}`).join(', ')}`] : []),
    ];
    return `${prefix} ${key}: ${what.join('; ')}`;
  });
  if (d.moreRows) lines.push(`${prefix}: more rows differ (raise --rows to list more)`);
  return lines;
}

export function registerReplicas(program: Command): void {
  const replicas = program.command('replicas').description('compare the stores and repair the ones that missed batches');
  replicas
    .command('check')
    .description(`compare every store per table and day (row count + checksum) and the batch ledgers; exit 1 when they differ, ${REPLICAS_INCOMPLETE} when a store does not answer (the others are compared)`)
    .option('--table <type>', `one table (${BATCH_TABLES.join(', ')})`)
    .option('--since <ms|duration>', 'only rows with event time (gaps: from time, quarantine: received time) from this epoch ms, or this long ago (e.g. 1h)')
    .option('--rows <n>', `list up to n differing natural keys per differing table and day (default ${DEFAULT_DIFFERING_ROWS}; 0 = none)`)
    .option('--json', 'print JSON')
    .action(async (_o: CheckOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CheckOptions>();
      const config = configFrom(opts);
      const tableName = parseTable(opts.table);
      const sinceMs = opts.since === undefined ? undefined : parseSince(opts.since);
      const rowLimit = parseRowLimit(opts.rows);
      const check = await checkReplicas(config, { table: tableName, sinceMs, rows: rowLimit }).finally(() => closeStoreClients());
      output(opts, check, () => describeCheck(check));
      const compared = check.tables.every((t) => t.identical);
      if (!compared) process.exitCode = 1;
      else if (check.unreachable.length) process.exitCode = REPLICAS_INCOMPLETE;
    });
  replicas
    .command('repair')
    .description(`find batches a store's ledger lacks compared to the others and queue them for its repair workflow; exit ${REPLICAS_INCOMPLETE} when a store does not answer`)
    .option('--store <ids>', 'only these stores (comma-separated)')
    .option('--json', 'print JSON')
    .action(async (_o: GlobalOptions & { store?: string }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { store?: string }>();
      const config = configFrom(opts);
      const only = parseStores(config, opts.store);
      const client = await temporalClient(config);
      const result = await repairReplicas(client, config, only).finally(async () => {
        await client.connection.close();
        await closeStoreClients();
      });
      const unreachable = result[0]?.unreachable ?? [];
      const down = new Set(unreachable.map((u) => u.store));
      const view = result.map((r) => ({ store: r.store, missing: r.missing.length, inFlight: r.inFlight, reachable: !down.has(r.store), workflowId: r.workflowId ?? null }));
      const writing = (n: number): string => (n ? ` (${n} batch(es) still being written left to their writes)` : '');
      output(opts, { stores: view, unreachable }, () =>
        [
          ...describeUnreachable(unreachable, 'their backlog is unknown until they answer: run `replicas repair` again then'),
          ...view.filter((r) => r.reachable).map((r) => `${r.missing ? `${r.store}: ${r.missing} batch(es) queued for ${r.workflowId}` : `${r.store}: nothing missing`}${writing(r.inFlight)}`),
        ].join('\n'),
      );
      if (unreachable.length) process.exitCode = REPLICAS_INCOMPLETE;
    });
  replicas
    .command('status <store>')
    .description("what a store's repair workflow is doing: pending, repaired, failed batches")
    .option('--json', 'print JSON')
    .action(async (store: string, _o: GlobalOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const config = configFrom(opts);
      parseStores(config, store);
      const client = await temporalClient(config);
      const status = await repairStatus(client, store)
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) throw new UsageError(`no repair has run for ${store}: it never missed a batch so far; \`replicas repair --store ${store}\` queues any it lacks`);
          throw err;
        })
        .finally(() => client.connection.close());
      output(opts, status, () =>
        [
          `repair/${store}: ${status.pending} pending, ${status.repaired} repaired, ${status.alreadyPresent} already present, ${status.failed.length} failed`,
          `  store healthy: ${status.healthy ?? 'not probed yet'}${status.lastError ? `  last error: ${status.lastError}` : ''}`,
        ].join('\n'),
      );
    });
}
