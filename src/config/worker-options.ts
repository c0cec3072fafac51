/**
 * The `worker:` section of the config: how much one worker process takes on at once, how it stops, and how
 * often it tells Temporal what it is doing. Kept apart from schema.ts (one concept per file).
 *
 *   worker:
 *     tuner: fixed                              # fixed | resource-based
 *     maxConcurrentActivityTaskExecutions: 100  # activity slots per task queue (resource-based: the ceiling)
 *     maxConcurrentWorkflowTaskExecutions: 40   # workflow task slots per task queue (resource-based: the ceiling)
 *     targetCpuUsage: 0.8                       # resource-based only: fractions of the host (0-1]
 *     targetMemoryUsage: 0.8
 *     shutdownGraceTime: 10s                    # SIGTERM: how long in-flight activities may finish
 *     heartbeatInterval: 10s                    # how often the worker reports its slots to Temporal (1s-60s)
 *     stageBatches: true                        # fetched rows stay in this process, history carries references
 *
 * The names are the Temporal SDK's own WorkerOptions names, so its documentation applies as written.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration';

const duration = z.string().regex(DURATION_PATTERN, 'a duration like 500ms, 1s, 5m, 1h or 30d');
const fraction = z.number().gt(0, 'a fraction of the host above 0 and at most 1, like 0.8').max(1, 'a fraction of the host above 0 and at most 1, like 0.8');

/** Temporal accepts worker heartbeat intervals from 1 s to 60 s (RuntimeOptions.workerHeartbeatInterval). */
export const HEARTBEAT_INTERVAL_MS = { min: 1_000, max: 60_000 } as const;

export const TUNERS = ['fixed', 'resource-based'] as const;
export type Tuner = (typeof TUNERS)[number];

export const WORKER_DEFAULTS = {
  tuner: 'fixed' as Tuner,
  maxConcurrentActivityTaskExecutions: 100,
  maxConcurrentWorkflowTaskExecutions: 40,
  targetCpuUsage: 0.8,
  targetMemoryUsage: 0.8,
  shutdownGraceTime: '10s',
  heartbeatInterval: '10s',
  stageBatches: true,
};

export const workerSchema = z.strictObject({
  tuner: z.enum(TUNERS).default(WORKER_DEFAULTS.tuner),
  maxConcurrentActivityTaskExecutions: z.number().int().min(1).max(10_000).default(WORKER_DEFAULTS.maxConcurrentActivityTaskExecutions),
  // the SDK polls for workflow tasks with at most this many pollers and needs at least 2 (sticky and normal queue)
  maxConcurrentWorkflowTaskExecutions: z.number().int().min(2).max(10_000).default(WORKER_DEFAULTS.maxConcurrentWorkflowTaskExecutions),
  targetCpuUsage: fraction.default(WORKER_DEFAULTS.targetCpuUsage),
  targetMemoryUsage: fraction.default(WORKER_DEFAULTS.targetMemoryUsage),
  shutdownGraceTime: duration.default(WORKER_DEFAULTS.shutdownGraceTime),
  heartbeatInterval: duration
    .default(WORKER_DEFAULTS.heartbeatInterval)
    .refine((text) => !DURATION_PATTERN.test(text) || (parseDuration(text) >= HEARTBEAT_INTERVAL_MS.min && parseDuration(text) <= HEARTBEAT_INTERVAL_MS.max), 'between 1s and 60s'),
  /**
   * Keep each fetched market batch in this process and send its inserts to this process's own task queue, so
   * workflow history carries a reference instead of the rows (docs/design.md, "Rows out of workflow history").
   * false: the rows travel through history (visible in the Temporal UI, several times heavier).
   */
  stageBatches: z.boolean().default(WORKER_DEFAULTS.stageBatches),
});

export type WorkerConfig = z.infer<typeof workerSchema>;
