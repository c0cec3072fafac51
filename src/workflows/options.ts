// TODO(lead): fold into src/reliability/policies.ts once the reliability layer lands.
export const QUORUM_GRACE_MS = 5_000;

export function workflowRetryDelayMs(round: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.min(round, 6));
}
