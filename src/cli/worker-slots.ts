import type { Config } from '../config/schema';
import { TUNERS, type Tuner } from '../config/worker-options';
import { UsageError } from './context';

/** The `marketprism worker` flags that override the config's `worker:` section for this one process. */
export interface WorkerSlotFlags {
  /** activity slots per task queue (text as typed) */
  maxActivities?: string;
  /** workflow task slots per task queue (text as typed) */
  maxWorkflowTasks?: string;
  tuner?: string;
}

function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 10_000) throw new UsageError(`${flag} '${text}' is not a whole number from ${min} to 10000; pass e.g. ${flag} 50`);
  return n;
}

/**
 * The config with the flags applied: `--max-activities N` and `--max-workflow-tasks N` (slots per task queue,
 * or the tuner's ceilings), `--tuner fixed|resource-based`. Bad values end in a UsageError naming the flag.
 */
export function withSlotFlags(config: Config, flags: WorkerSlotFlags): Config {
  const worker = { ...config.worker };
  if (flags.maxActivities !== undefined) worker.maxConcurrentActivityTaskExecutions = count('--max-activities', flags.maxActivities, 1);
  // Temporal polls for workflow tasks with two pollers at least (sticky and normal queue), each needing a slot
  if (flags.maxWorkflowTasks !== undefined) worker.maxConcurrentWorkflowTaskExecutions = count('--max-workflow-tasks', flags.maxWorkflowTasks, 2);
  if (flags.tuner !== undefined) {
    if (!TUNERS.includes(flags.tuner as Tuner)) throw new UsageError(`--tuner '${flags.tuner}' is not a tuner; use ${TUNERS.join(' or ')}`);
    worker.tuner = flags.tuner as Tuner;
  }
  return { ...config, worker };
}
