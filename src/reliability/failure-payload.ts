/**
 * Data an error carries into its Temporal failure's details. The classifier (classify.ts) copies it into
 * the ApplicationFailure's details and makes that failure final for its attempt chain: a retry could only
 * hand such data on through heartbeat details, and a heartbeat sent just before a failure can be lost
 * (temporalio/temporal#8376); a failure's own payload cannot. The payload's meaning belongs to whoever
 * attaches it (e.g. unparseable exchange bodies to quarantine, src/domain/quarantined-failure.ts).
 */
export const FAILURE_PAYLOAD = 'failurePayload';

/** Returns err with `payload` attached (merged with one attached earlier). */
export function attachFailurePayload<E>(err: E, payload: Record<string, unknown>): E {
  if (err !== null && typeof err === 'object') {
    const holder = err as Record<string, unknown>;
    holder[FAILURE_PAYLOAD] = { ...(holder[FAILURE_PAYLOAD] as object | undefined), ...payload };
  }
  return err;
}

/** The payload attached to err or to an error in its cause chain, if any. */
export function failurePayloadOf(err: unknown): Record<string, unknown> | undefined {
  for (let e = err as { cause?: unknown; [FAILURE_PAYLOAD]?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 8; e = e.cause as typeof e, depth++) {
    const payload = e[FAILURE_PAYLOAD];
    if (payload !== null && typeof payload === 'object') return payload as Record<string, unknown>;
  }
  return undefined;
}
