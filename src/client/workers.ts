import type { Client } from '@temporalio/client';

/** One kind of slot of one worker, as its last heartbeat reported it. */
export interface SlotUsage {
  /** tasks running now */
  used: number;
  /** slots free now (a resource-based tuner's count moves with the host's load) */
  available: number;
  /** the SDK's slot supplier: Fixed, ResourceBased, … */
  kind: string;
}

/**
 * One Temporal worker (one task queue of one `marketprism worker` process), from its heartbeat to the server.
 * A process polling k queues appears k times, with the same `process` key.
 */
export interface WorkerReport {
  identity: string;
  taskQueue: string;
  host: string;
  pid: string;
  /** the same for every worker of one process (the SDK's worker grouping key) */
  process: string;
  /** running, or shutting_down while it drains */
  status: string;
  /** age of its last heartbeat, ms */
  heartbeatAgeMs: number;
  activitySlots: SlotUsage;
  workflowTaskSlots: SlotUsage;
}

/** Slots of every live worker of one task queue, summed. */
export interface QueueSlots {
  queue: string;
  workers: number;
  activity: { used: number; available: number };
  workflowTask: { used: number; available: number };
}

/**
 * A worker that stops heartbeating (SIGKILL, a lost host) stays listed by the server for minutes: it counts
 * only while its last heartbeat is younger than this many of its own heartbeat intervals.
 */
const LIVE_HEARTBEATS = 3;
/** The SDK's default interval, for a worker whose heartbeat does not say its own yet (its first one). */
const DEFAULT_HEARTBEAT_MS = 60_000;

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
function ms(t: Timestamp): number | undefined {
  return t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : undefined;
}

type SlotsInfo = { currentUsedSlots?: number | null; currentAvailableSlots?: number | null; slotSupplierKind?: string | null } | null | undefined;
function slots(info: SlotsInfo): SlotUsage {
  return { used: info?.currentUsedSlots ?? 0, available: info?.currentAvailableSlots ?? 0, kind: info?.slotSupplierKind ?? '?' };
}

type Heartbeat = NonNullable<NonNullable<Awaited<ReturnType<Client['workflowService']['describeWorker']>>['workerInfo']>['workerHeartbeat']>;

/** temporal.api.enums.v1.WorkerStatus values (the proto enum; @temporalio/proto is not a runtime dependency). */
const STATUS: Record<number, string> = { 1: 'running', 2: 'shutting_down', 3: 'shutdown' };

function report(hb: Heartbeat, now: number): WorkerReport | undefined {
  const beat = ms(hb.heartbeatTime);
  const interval = ms(hb.elapsedSinceLastHeartbeat) || DEFAULT_HEARTBEAT_MS;
  const status = typeof hb.status === 'number' ? (STATUS[hb.status] ?? 'unknown') : String(hb.status ?? 'unknown').replace(/^WORKER_STATUS_/, '').toLowerCase();
  if (beat === undefined || status === 'shutdown' || now - beat > LIVE_HEARTBEATS * interval) return undefined;
  return {
    identity: hb.workerIdentity ?? '?',
    taskQueue: hb.taskQueue ?? '?',
    host: hb.hostInfo?.hostName ?? '?',
    pid: hb.hostInfo?.processId ?? '?',
    process: hb.hostInfo?.workerGroupingKey || `${hb.hostInfo?.hostName ?? '?'}:${hb.hostInfo?.processId ?? '?'}`,
    status,
    heartbeatAgeMs: Math.max(0, now - beat),
    activitySlots: slots(hb.activityTaskSlotsInfo),
    workflowTaskSlots: slots(hb.workflowTaskSlotsInfo),
  };
}

/**
 * The live workers of the given task queues and the slots each has in use, from the heartbeats workers send
 * the Temporal server (every worker.heartbeatInterval) and ListWorkers: no worker address is needed, and
 * workers on any host are seen. Sorted by task queue, then identity. Workers whose heartbeat is older than
 * three of their intervals, or that have shut down, are left out.
 * Returns undefined when the server cannot list workers (before Temporal 1.29, or with
 * frontend.WorkerHeartbeatsEnabled / frontend.ListWorkersEnabled off).
 */
export async function describeWorkers(client: Client, queues: readonly string[], now = Date.now()): Promise<WorkerReport[] | undefined> {
  const wanted = new Set(queues);
  const heartbeats: Heartbeat[] = [];
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const page = await client.workflowService.listWorkers({ namespace: client.options.namespace, pageSize: 1000, nextPageToken });
      const full = (page.workersInfo ?? []).flatMap((w) => (w.workerHeartbeat ? [w.workerHeartbeat] : []));
      if (full.length > 0) heartbeats.push(...full);
      else {
        // newer servers list only the summary (workers_info is deprecated): each worker's heartbeat is one call away
        for (const w of page.workers ?? []) {
          if (!w.workerInstanceKey || !wanted.has(w.taskQueue ?? '')) continue;
          const described = await client.workflowService.describeWorker({ namespace: client.options.namespace, workerInstanceKey: w.workerInstanceKey });
          if (described.workerInfo?.workerHeartbeat) heartbeats.push(described.workerInfo.workerHeartbeat);
        }
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  } catch (err) {
    // UNIMPLEMENTED (12) or PERMISSION_DENIED (7), the server's answer when worker listing is off or unknown
    const code = (err as { code?: number }).code;
    if (code === 12 || code === 7) return undefined;
    throw err;
  }
  return heartbeats
    .filter((hb) => wanted.has(hb.taskQueue ?? ''))
    .flatMap((hb) => report(hb, now) ?? [])
    .sort((a, b) => a.taskQueue.localeCompare(b.taskQueue) || a.identity.localeCompare(b.identity));
}

/** Per task queue, its live workers' slots summed: used/(used+available) is the queue's utilization. */
export function queueSlots(queues: readonly string[], workers: readonly WorkerReport[]): QueueSlots[] {
  return queues.map((queue) => {
    const on = workers.filter((w) => w.taskQueue === queue);
    const sum = (pick: (w: WorkerReport) => SlotUsage) => ({ used: on.reduce((n, w) => n + pick(w).used, 0), available: on.reduce((n, w) => n + pick(w).available, 0) });
    return { queue, workers: on.length, activity: sum((w) => w.activitySlots), workflowTask: sum((w) => w.workflowTaskSlots) };
  });
}
