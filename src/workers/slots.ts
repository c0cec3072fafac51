import { ResourceBasedController, type WorkerOptions as TemporalWorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from '../config/worker-options';

/** The part of Temporal's WorkerOptions that decides how many tasks a worker runs at once. */
export type SlotOptions = Pick<TemporalWorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'tuner'>;

/**
 * A process-wide slot policy for the Temporal workers of one process (one per task queue).
 *
 * - `fixed`: each worker takes at most maxConcurrentActivityTaskExecutions activities and
 *   maxConcurrentWorkflowTaskExecutions workflow tasks at once (per task queue, so a process polling k queues
 *   may run k times as many).
 * - `resource-based`: Temporal's resource-based tuner hands out slots while the host's CPU and memory stay
 *   under targetCpuUsage / targetMemoryUsage (fractions 0-1); the two maxima become its ceilings. One
 *   controller is shared by every worker of the process, so the queues together aim at one target instead of
 *   each claiming the whole machine.
 */
export function slotOptions(worker: WorkerConfig): () => SlotOptions {
  if (worker.tuner === 'fixed') {
    const fixed: SlotOptions = {
      maxConcurrentActivityTaskExecutions: worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: worker.maxConcurrentWorkflowTaskExecutions,
    };
    return () => fixed;
  }
  const controller = ResourceBasedController.create({ targetCpuUsage: worker.targetCpuUsage, targetMemoryUsage: worker.targetMemoryUsage });
  const resourceBased = (maximumSlots: number) => ({ type: 'resource-based' as const, controller, maximumSlots });
  return () => ({
    tuner: {
      workflowTaskSlotSupplier: resourceBased(worker.maxConcurrentWorkflowTaskExecutions),
      activityTaskSlotSupplier: resourceBased(worker.maxConcurrentActivityTaskExecutions),
      // MarketPrism runs no local activities and no Nexus tasks; their suppliers must still be given
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
    },
  });
}
