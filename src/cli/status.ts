import type { Command } from 'commander';
import { knownQueues } from '../domain/task-queues';
import { servicesStatus } from '../services/stack';
import { temporalClient } from '../client/client';
import { listCollectors, type CollectorListing } from '../client/collectors';
import { describeTaskQueues, type TaskQueueReport } from '../client/task-queues';
import { describeWorkers, queueSlots, type QueueSlots, type WorkerReport } from '../client/workers';
import { openAlerts } from '../storage/open-alerts';
import { describeAlerts } from './alerts';
import { configFrom, output, table, type GlobalOptions } from './context';
import { describeServices } from './services';

/** Exit code of `status` when a service is down or a collector's queue has no worker. */
export const STATUS_UNHEALTHY = 3;

/** Collectors whose task queue no worker polls: nothing runs them until one starts. */
export function unservedCollectors(collectors: readonly CollectorListing[], queues: readonly TaskQueueReport[]): CollectorListing[] {
  const served = new Set(queues.filter((q) => q.workflowPollers.length > 0 && q.activityPollers.length > 0).map((q) => q.queue));
  return collectors.filter((c) => c.exchange !== undefined && !served.has(`collect-${c.exchange}`));
}

function describeQueues(queues: readonly TaskQueueReport[]): string {
  const rows = [['task queue', 'workflow pollers', 'activity pollers', 'backlog (wf/act)']];
  for (const q of queues) rows.push([q.queue, String(q.workflowPollers.length), String(q.activityPollers.length), `${q.workflowBacklog}/${q.activityBacklog}`]);
  // Temporal lists the pollers it saw in about the last minute (a worker's long poll lasts up to a minute)
  return `${table(rows)}\n(pollers seen by Temporal in the last minute: a stopped worker drops out within about a minute)`;
}

function describeWorkerSlots(workers: readonly WorkerReport[] | undefined, slots: readonly QueueSlots[]): string {
  if (workers === undefined) return 'workers: unknown (this Temporal server lists no workers; it needs 1.29+ with frontend.WorkerHeartbeatsEnabled and frontend.ListWorkersEnabled)';
  const queues = [['task queue', 'workers', 'activity slots used/free', 'workflow task slots used/free']];
  for (const q of slots) queues.push([q.queue, String(q.workers), `${q.activity.used}/${q.activity.available}`, `${q.workflowTask.used}/${q.workflowTask.available}`]);
  const rows = [['worker', 'task queue', 'status', 'activity slots used/free', 'workflow task slots used/free', 'heartbeat']];
  for (const w of workers) {
    rows.push([w.identity, w.taskQueue, w.status, `${w.activitySlots.used}/${w.activitySlots.available} (${w.activitySlots.kind})`, `${w.workflowTaskSlots.used}/${w.workflowTaskSlots.available}`, `${(w.heartbeatAgeMs / 1000).toFixed(0)} s ago`]);
  }
  // slots come from each worker's heartbeat (worker.heartbeatInterval): a figure is at most that old
  return `${table(queues)}\n\n${workers.length === 0 ? 'workers: none heartbeating' : table(rows)}\n(slots as of each worker's last heartbeat to Temporal)`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(`the whole system at a glance: services, task queues (pollers, backlog), workers (slots in use), collectors, open alerts; exit ${STATUS_UNHEALTHY} when something is down or unserved`)
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const config = configFrom(opts);
      const services = await servicesStatus(config);
      let collectors: CollectorListing[] | null = null;
      let queues: TaskQueueReport[] | null = null;
      let workers: WorkerReport[] | undefined | null = null;
      if (services.find((s) => s.name === 'temporal')?.healthy) {
        const client = await temporalClient(config);
        try {
          collectors = await listCollectors(client);
          const names = [...new Set([...knownQueues(Object.keys(config.exchanges)), ...collectors.flatMap((c) => (c.exchange ? [`collect-${c.exchange}`] : []))])];
          [queues, workers] = await Promise.all([describeTaskQueues(client, names), describeWorkers(client, names)]);
        } finally {
          await client.connection.close();
        }
      }
      const unserved = collectors && queues ? unservedCollectors(collectors, queues) : [];
      const slots = queues && workers ? queueSlots(queues.map((q) => q.queue), workers) : null;
      const alerts = await openAlerts(config);
      // workers: null when Temporal is down; slots: null also when the server lists no workers
      const json = { services, queues, slots, workers: workers === undefined ? null : workers, collectors, unserved: unserved.map((c) => c.workflowId), alerts: alerts.alerts };
      output(opts, json, () =>
        [
          describeServices(services),
          '',
          queues === null ? 'task queues: unknown (Temporal is down)' : describeQueues(queues),
          '',
          workers === null ? 'workers: unknown (Temporal is down)' : describeWorkerSlots(workers, slots ?? []),
          '',
          collectors === null ? 'collectors: unknown (Temporal is down)' : `collectors running: ${collectors.length}`,
          ...(collectors ?? []).map((c) => `  ${c.workflowId}${unserved.includes(c) ? `  NO WORKER polls collect-${c.exchange}: start one with \`marketprism worker\`` : ''}`),
          '',
          describeAlerts(alerts),
        ].join('\n'),
      );
      if (services.some((s) => !s.healthy) || unserved.length > 0) process.exitCode = STATUS_UNHEALTHY;
    });
}
