import type { AlertInput, AlertSink } from '../alerts/alert-sink';

export type { AlertInput } from '../alerts/alert-sink';

export interface ResolveAlertInput {
  key: string;
  source: string;
  message?: string;
}

/** Alerts as activities, so workflows can raise them (quorum lost, gaps) with the same sink the workers use. */
export function alertActivities(sink: AlertSink) {
  return {
    async raiseAlert(input: AlertInput): Promise<boolean> {
      return sink.raise(input);
    },
    async resolveAlert(input: ResolveAlertInput): Promise<void> {
      await sink.resolve(input.key, input.source, input.message);
    },
  };
}
