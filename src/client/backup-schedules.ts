import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config/schema';
import { parseDuration } from '../config/duration';
import { BACKUP_QUEUE } from '../domain/task-queues';
import { workflowPolicies } from './workflow-policies';
import {
  BACKUP_SCHEDULE_ID,
  RETENTION_SCHEDULE_ID,
  SCHEDULED_BACKUP_WORKFLOW_ID,
  SCHEDULED_RETENTION_WORKFLOW_ID,
  type BackupInput,
  type RetentionInput,
} from '../workflows/backup-api';

/**
 * The backup and retention Temporal Schedules (they show on the Temporal UI's Schedules page). Both skip a run
 * while the previous one still runs (overlap SKIP), take runs missed while the server was down only if they
 * are at most `catchupWindow` late, and start each run up to `jitter` after its slot.
 */
export interface BackupScheduleSpec {
  everyMs: number;
  retentionMs: number;
  jitterMs: number;
  catchupWindowMs: number;
}

export const SCHEDULE_IDS = [BACKUP_SCHEDULE_ID, RETENTION_SCHEDULE_ID] as const;
export type ScheduleId = (typeof SCHEDULE_IDS)[number];

/** The schedule spec of the config's backup: section (what `marketprism up` creates). */
export function scheduleFromConfig(config: Config): BackupScheduleSpec {
  const s = config.backup.schedule;
  return { everyMs: parseDuration(s.every), retentionMs: parseDuration(s.retention), jitterMs: parseDuration(s.jitter), catchupWindowMs: parseDuration(s.catchupWindow) };
}

function options(config: Config, spec: BackupScheduleSpec): { backup: ScheduleOptions; retention: ScheduleOptions } {
  const policies = workflowPolicies(config);
  const backupArgs: [BackupInput] = [{ ...(policies && { policies }) }];
  const retentionArgs: [RetentionInput] = [{ retentionMs: spec.retentionMs, ...(policies && { policies }) }];
  const common = {
    spec: { intervals: [{ every: spec.everyMs }], jitter: spec.jitterMs },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: spec.catchupWindowMs, pauseOnFailure: false },
  };
  return {
    backup: {
      scheduleId: BACKUP_SCHEDULE_ID,
      ...common,
      action: { type: 'startWorkflow', workflowType: 'BackupWorkflow', workflowId: SCHEDULED_BACKUP_WORKFLOW_ID, taskQueue: BACKUP_QUEUE, args: backupArgs },
    },
    retention: {
      scheduleId: RETENTION_SCHEDULE_ID,
      ...common,
      action: { type: 'startWorkflow', workflowType: 'RetentionWorkflow', workflowId: SCHEDULED_RETENTION_WORKFLOW_ID, taskQueue: BACKUP_QUEUE, args: retentionArgs },
    },
  };
}

async function upsert(client: Client, opts: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(opts);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const { scheduleId: _id, ...rest } = opts;
  await client.schedule.getHandle(opts.scheduleId).update((previous) => ({ ...previous, ...rest, state: previous.state }) as never);
  return 'updated';
}

/** Creates the backup and retention schedules, or updates them to this spec (a re-run of `up` is harmless). */
export async function upsertBackupSchedules(client: Client, config: Config, spec: BackupScheduleSpec): Promise<Record<ScheduleId, 'created' | 'updated'>> {
  const o = options(config, spec);
  return { [BACKUP_SCHEDULE_ID]: await upsert(client, o.backup), [RETENTION_SCHEDULE_ID]: await upsert(client, o.retention) } as Record<ScheduleId, 'created' | 'updated'>;
}

export class NoBackupSchedule extends Error {
  override name = 'NoBackupSchedule';
}

async function each(client: Client, fn: (id: ScheduleId) => Promise<void>): Promise<ScheduleId[]> {
  const done: ScheduleId[] = [];
  for (const id of SCHEDULE_IDS) {
    try {
      await fn(id);
      done.push(id);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  if (done.length === 0) throw new NoBackupSchedule('there is no backup schedule; create it with `marketprism backup schedule --every 1h` (or `marketprism up`)');
  return done;
}

export function pauseBackupSchedules(client: Client, note = 'paused from the marketprism CLI'): Promise<ScheduleId[]> {
  return each(client, (id) => client.schedule.getHandle(id).pause(note));
}

export function unpauseBackupSchedules(client: Client, note = 'unpaused from the marketprism CLI'): Promise<ScheduleId[]> {
  return each(client, (id) => client.schedule.getHandle(id).unpause(note));
}

export function deleteBackupSchedules(client: Client): Promise<ScheduleId[]> {
  return each(client, (id) => client.schedule.getHandle(id).delete());
}

/** Starts a backup now through the schedule, honouring its overlap policy: skipped while one runs. */
export async function triggerBackupSchedule(client: Client): Promise<void> {
  try {
    await client.schedule.getHandle(BACKUP_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.SKIP);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new NoBackupSchedule('there is no backup schedule to trigger; create it with `marketprism backup schedule --every 1h`');
    throw err;
  }
}

export interface ScheduleListing {
  scheduleId: ScheduleId;
  workflowType: string;
  everyMs: number | null;
  retentionMs: number | null;
  jitterMs: number | null;
  paused: boolean;
  note: string | null;
  nextRun: string | null;
  lastRun: string | null;
  /** workflow ids of the runs still running */
  running: string[];
  actions: number;
  skippedOverlap: number;
}

/** The retention period is the retention schedule's argument (schedule memos cannot be updated). */
function retentionOf(d: ScheduleDescription | undefined): number | null {
  const args = (d?.action as { args?: Array<{ retentionMs?: unknown }> } | undefined)?.args;
  return typeof args?.[0]?.retentionMs === 'number' ? args[0].retentionMs : null;
}

function listing(id: ScheduleId, d: ScheduleDescription, retentionMs: number | null): ScheduleListing {
  const interval = d.spec.intervals?.[0];
  const action = d.action as { workflowType?: string };
  return {
    scheduleId: id,
    workflowType: action.workflowType ?? '',
    everyMs: interval ? Number(interval.every) : null,
    retentionMs,
    jitterMs: d.spec.jitter === undefined ? null : Number(d.spec.jitter),
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRun: d.info.nextActionTimes[0]?.toISOString() ?? null,
    lastRun: d.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
    actions: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
  };
}

/** The backup and retention schedules that exist. */
export async function listBackupSchedules(client: Client): Promise<ScheduleListing[]> {
  const found = new Map<ScheduleId, ScheduleDescription>();
  for (const id of SCHEDULE_IDS) {
    try {
      found.set(id, await client.schedule.getHandle(id).describe());
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  const retentionMs = retentionOf(found.get(RETENTION_SCHEDULE_ID));
  return [...found].map(([id, d]) => listing(id, d, retentionMs));
}
