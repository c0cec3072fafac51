import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/** How often a followed workflow's progress query is asked while it runs. */
const PROGRESS_EVERY_MS = 500;

/**
 * Waits for a workflow's result (its return value, typed R), calling `onProgress` with the answer of its progress
 * query about twice a second meanwhile. A query that cannot be answered (no worker has started the workflow yet,
 * or it ended between the check and the query) is skipped. Throws what `handle.result()` throws.
 */
export async function followWorkflow<R, P>(handle: WorkflowHandle, progress: QueryDefinition<P>, onProgress: (p: P) => void = () => undefined): Promise<R> {
  let done = false;
  const result = (handle.result() as Promise<R>).finally(() => {
    done = true;
  });
  const poll = (async () => {
    while (!done) {
      try {
        onProgress(await handle.query(progress));
      } catch {
        // not started yet, or finished between the check and the query
      }
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS))]);
    }
  })();
  try {
    return await result;
  } finally {
    await poll;
  }
}
