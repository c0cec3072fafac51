import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import type { Config } from '../config/schema';
import { isBackupId } from '../domain/backup';
import { BATCH_TABLES } from '../domain/batch';
import { isRestoreTable, type RestoreTable } from '../domain/backup-tables';
import { listBackups, writeState, type BackupSummary } from '../backup/catalog';
import { generatedKeyNotice, loadKeyring } from '../backup/key';
import { openBackupStore } from '../backup/open';
import { verifyBackupArchive } from '../backup/verify';
import { temporalClient } from '../client/client';
import { runBackup, startRestore, waitForRestore } from '../client/backups';
import {
  deleteBackupSchedules,
  listBackupSchedules,
  pauseBackupSchedules,
  scheduleFromConfig,
  triggerBackupSchedule,
  unpauseBackupSchedules,
  upsertBackupSchedules,
  type ScheduleListing,
} from '../client/backup-schedules';
import { parseDuration } from '../config/duration';
import type { RestoreOutcome } from '../workflows/backup-api';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';
import { progressBar } from './progress';

/** A workflow's failure as the one line its cause says (the activity's message names the file and the problem). */
export function workflowError(err: unknown): Error {
  if (err instanceof WorkflowFailedError) {
    let cause: unknown = err.cause;
    while (cause instanceof Error && cause.cause instanceof Error && /^(Activity task failed|Workflow execution failed)/.test(cause.message)) cause = cause.cause;
    return new Error(cause instanceof Error ? cause.message : err.message);
  }
  return err as Error;
}

/**
 * The key, generated on first use: the CLI says so once, plainly, on stderr (it names the file, never the key).
 * Workers read the same file when they share the data directory, as in the quick start.
 */
export function ensureBackupKey(config: Config): void {
  const ring = loadKeyring(config.dataDir);
  if (ring.generated) process.stderr.write(`${generatedKeyNotice(ring.generated, ring.current.keyId)}\n`);
}

export function parseBackupId(text: string | undefined, what = 'backup id'): string {
  if (!text || !isBackupId(text)) throw new UsageError(`${what} '${text ?? ''}' is not a backup id (like 20250102T030405Z-9f3a1c); \`marketprism backup list\` shows them`);
  return text;
}

export function parseStore(config: Config, text: string | undefined, what = '--target'): string {
  const known = config.stores.map((s) => s.id);
  if (!text || !known.includes(text)) throw new UsageError(`${what} '${text ?? ''}' is not a configured store; use one of ${known.join(', ')}`);
  return text;
}

export function parseTables(text: string | undefined): RestoreTable[] | undefined {
  if (text === undefined) return undefined;
  const tables = text.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = tables.find((t) => !isRestoreTable(t));
  if (bad !== undefined || tables.length === 0) throw new UsageError(`--tables '${text}': '${bad ?? ''}' is not a table; use some of ${[...BATCH_TABLES, 'alerts'].join(', ')}`);
  return tables as RestoreTable[];
}

export function parseDatabase(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(text)) throw new UsageError(`--database '${text}' is not a ClickHouse database name; use letters, digits and _`);
  return text;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 2 : 1)} MB`;
const when = (ms: number): string => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

function describeList(list: BackupSummary[]): string {
  if (list.length === 0) return 'no backups yet: `marketprism backup run` takes one';
  return table([
    ['ID', 'PARENT', 'TIME', 'BATCHES', 'ROWS', 'BYTES', 'STATE'],
    ...list.map((b) => [b.backupId, b.parentId ?? '(full)', when(b.completedAt), String(b.batches), String(b.rows), mb(b.bytes), b.state + (b.problem ? `: ${b.problem}` : '')]),
  ]);
}

async function withClient<T>(config: Config, fn: (client: Awaited<ReturnType<typeof temporalClient>>) => Promise<T>): Promise<T> {
  const client = await temporalClient(config);
  try {
    return await fn(client);
  } catch (err) {
    throw workflowError(err);
  } finally {
    await client.connection.close();
  }
}

async function restoreWithProgress(config: Config, req: Parameters<typeof startRestore>[2], label: string): Promise<RestoreOutcome> {
  return withClient(config, async (client) => {
    const handle = await startRestore(client, config, req);
    const bar = progressBar(label);
    try {
      return await waitForRestore(handle, (p) => bar.update(p.chunksDone, p.chunksTotal, `chunks, ${p.rows} rows${p.phase === 'verify' ? ', verifying' : ''}`));
    } finally {
      bar.stop();
    }
  });
}

function describeRestore(r: RestoreOutcome): string {
  return `restored ${r.backupId} into ${r.store}: ${r.batchesRestored} batch(es) written, ${r.batchesSkipped} already present, ${r.rows} rows; ${r.verified} batch(es) verified${r.deferred ? `; ${r.deferred} batch(es) the backup could not include (see \`backup list\`)` : ''}`;
}

export function registerBackup(program: Command): void {
  const backup = program.command('backup').description('encrypted incremental backups: run | list | verify | schedule');
  backup
    .command('run')
    .description('take a backup now (incremental since the last one; the first one is full) and verify it')
    .option('--full', 'a full backup, even when there is a chain to continue')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { full?: boolean }>();
      const config = configFrom(opts);
      ensureBackupKey(config);
      const outcome = await withClient(config, (client) => runBackup(client, config, { full: opts.full }));
      output(opts, outcome, () =>
        [
          `backup ${outcome.backupId} (${outcome.kind}${outcome.parentId ? ` of ${outcome.parentId}` : outcome.fullBecause ? `: ${outcome.fullBecause}` : ''}): ${outcome.batches} batches, ${outcome.rows} rows, ${mb(outcome.bytes)} in ${outcome.chunks} chunks; ${outcome.state}`,
          ...(outcome.problem ? [`  problem: ${outcome.problem}`] : []),
          ...(outcome.unreachable.length ? [`  stores not read (down): ${outcome.unreachable.join(', ')}`] : []),
          ...(outcome.deferred ? [`  ${outcome.deferred} batch(es) deferred to the next backup: no store could provide them`] : []),
        ].join('\n'),
      );
      if (outcome.state !== 'verified') process.exitCode = 1;
    });
  registerSchedule(backup);
  backup
    .command('list')
    .description('backups in the backup store: id, parent, time, batches, rows, bytes, state')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const config = configFrom(opts);
      const list = await listBackups(await openBackupStore(config));
      output(opts, list, () => describeList(list));
    });
  backup
    .command('verify <id>')
    .description('decrypt every chunk and check it against the manifest; --restore-test also restores into a scratch database and compares')
    .option('--restore-test', 'restore the chain into a scratch database (dropped afterwards) and check every batch')
    .option('--store <id>', 'store for the scratch database (default: the first configured store)')
    .option('--json', 'print JSON')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { restoreTest?: boolean; store?: string }>();
      const config = configFrom(opts);
      const backupId = parseBackupId(id);
      const scratchStore = opts.restoreTest ? parseStore(config, opts.store ?? config.stores[0].id, '--store') : undefined;
      const store = await openBackupStore(config);
      const keyring = loadKeyring(config.dataDir, process.env, { generate: false });
      const bar = progressBar(`verify ${backupId}`);
      const report = await verifyBackupArchive(store, keyring, backupId, (done, total) => bar.update(done, total, 'chunks')).finally(() => bar.stop());
      // recorded only when this backup's own files are at fault: not a parent's, not a missing backup, not a key
      // this process lacks (the backup may be fine under the right key)
      const first = report.problems[0] ?? '';
      const own = report.ok || (first.startsWith(`${backupId}/`) && !/^\S+\/manifest\.json: (missing|written with key id)/.test(first));
      if (own) {
        await writeState(store, backupId, { state: report.ok ? 'verified' : 'bad', checkedAt: Date.now(), ...(report.problems[0] && { problem: report.problems[0] }) });
      }
      if (!report.ok) throw new Error(`backup ${backupId} is bad: ${report.problems[0]}${report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem(s))` : ''}`);
      let restored: RestoreOutcome | undefined;
      if (scratchStore) {
        const database = `mp_restore_test_${backupId.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
        restored = await restoreWithProgress(config, { backupId, store: scratchStore, database, dropAfter: true }, `restore-test ${backupId}`);
      }
      output(opts, { ...report, ...(restored && { restoreTest: restored }) }, () =>
        [
          `backup ${backupId} verified: ${report.chunks} chunks, ${report.batches} batches, ${report.rows} rows, ${mb(report.bytes)}`,
          ...(restored ? [`restore test on ${restored.store}: ${restored.batchesRestored} batches, ${restored.rows} rows restored into a scratch database and verified (dropped)`] : []),
        ].join('\n'),
      );
    });
}

const SCHEDULE_ACTIONS = ['set', 'pause', 'unpause', 'trigger', 'delete', 'list'] as const;
type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

function durationOption(name: string, text: string | undefined, fallback: number, min = 1_000): number {
  if (text === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new UsageError(`--${name} '${text}' is not a duration; write it like 30m, 1h or 30d`);
  }
  if (ms < min) throw new UsageError(`--${name} '${text}' is too short; use at least ${min / 1000}s`);
  return ms;
}

const human = (ms: number | null): string => {
  if (ms === null) return '-';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};

function describeSchedules(list: ScheduleListing[]): string {
  if (list.length === 0) return 'no backup schedule: `marketprism backup schedule --every 1h` creates one';
  return table([
    ['SCHEDULE', 'WORKFLOW', 'EVERY', 'RETENTION', 'STATE', 'NEXT RUN', 'LAST RUN', 'RUNS', 'SKIPPED'],
    ...list.map((l) => [l.scheduleId, l.workflowType, human(l.everyMs), human(l.retentionMs), l.paused ? 'paused' : l.running.length ? 'running' : 'active', l.nextRun ?? '-', l.lastRun ?? '-', String(l.actions), String(l.skippedOverlap)]),
  ]);
}

function registerSchedule(backup: Command): void {
  backup
    .command('schedule [action]')
    .description(`the backup and retention Temporal Schedules: set (default: create or update), ${SCHEDULE_ACTIONS.slice(1).join(', ')}`)
    .option('--every <duration>', 'how often to back up (default: backup.schedule.every of the config)')
    .option('--retention <duration>', 'delete backups older than this (default: backup.schedule.retention)')
    .option('--jitter <duration>', 'start each run up to this much after its slot (default: backup.schedule.jitter)')
    .option('--catchup-window <duration>', 'take runs missed while Temporal was down if at most this late (default: backup.schedule.catchupWindow)')
    .option('--json', 'print JSON')
    .action(async (actionText: string | undefined, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { every?: string; retention?: string; jitter?: string; catchupWindow?: string }>();
      const action = (actionText ?? 'set') as ScheduleAction;
      if (!SCHEDULE_ACTIONS.includes(action)) throw new UsageError(`backup schedule '${actionText}': not an action; use one of ${SCHEDULE_ACTIONS.join(', ')}`);
      const config = configFrom(opts);
      if (action !== 'set' && (opts.every || opts.retention || opts.jitter || opts.catchupWindow)) {
        throw new UsageError(`backup schedule ${action} takes no --every/--retention/--jitter/--catchup-window; set them with \`backup schedule --every ...\``);
      }
      const spec = scheduleFromConfig(config);
      await withClient(config, async (client) => {
        switch (action) {
          case 'set': {
            const next = {
              everyMs: durationOption('every', opts.every, spec.everyMs, 60_000),
              retentionMs: durationOption('retention', opts.retention, spec.retentionMs, 60_000),
              jitterMs: durationOption('jitter', opts.jitter, spec.jitterMs, 0),
              catchupWindowMs: durationOption('catchup-window', opts.catchupWindow, spec.catchupWindowMs, 10_000),
            };
            ensureBackupKey(config);
            const done = await upsertBackupSchedules(client, config, next);
            output(opts, { ...done, ...next }, () => Object.entries(done).map(([id, what]) => `${id}: ${what} (every ${human(next.everyMs)}, retention ${human(next.retentionMs)}, jitter ${human(next.jitterMs)}, overlap skip)`).join('\n'));
            return;
          }
          case 'list': {
            const list = await listBackupSchedules(client);
            output(opts, list, () => describeSchedules(list));
            return;
          }
          case 'trigger':
            await triggerBackupSchedule(client);
            output(opts, { triggered: true }, () => 'backup triggered (skipped if one is running; `backup schedule list` shows it)');
            return;
          default: {
            const fn = { pause: pauseBackupSchedules, unpause: unpauseBackupSchedules, delete: deleteBackupSchedules }[action];
            const ids = await fn(client);
            output(opts, { [action]: ids }, () => `${ids.join(', ')}: ${action === 'delete' ? 'deleted' : `${action}d`}`);
          }
        }
      });
    });
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('replay the chain up to a backup into a store (batches it holds are skipped), then verify it')
    .requiredOption('--backup <id>', 'the backup to restore (its chain of parents comes with it)')
    .requiredOption('--target <store>', 'a configured store id')
    .option('--tables <tables>', `only these tables (comma-separated: ${[...BATCH_TABLES, 'alerts'].join(', ')})`)
    .option('--database <name>', "restore into this database of the store instead of its configured one")
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { backup: string; target: string; tables?: string; database?: string }>();
      const config = configFrom(opts);
      const backupId = parseBackupId(opts.backup, '--backup');
      const store = parseStore(config, opts.target);
      const tables = parseTables(opts.tables);
      const database = parseDatabase(opts.database);
      const outcome = await restoreWithProgress(config, { backupId, store, ...(database && { database }), ...(tables && { tables }) }, `restore ${backupId} → ${store}`);
      output(opts, outcome, () => describeRestore(outcome));
    });
}
