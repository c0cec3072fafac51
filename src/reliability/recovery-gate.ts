/**
 * A recovery gate per dependency (`exchange:okx`, `store:primary`): where callers of a failing dependency
 * wait out their backoff, so that the wait ends the moment the dependency is seen healthy again.
 *
 * Why: a Temporal retry timer cannot be shortened once scheduled. A fetch that failed on attempt 4 during an
 * outage sat out a 16 s timer even when the exchange came back a second later (issue #13). So a dependency
 * failure schedules only a short Temporal retry (≤ policies.breaker.openRetryMaxMs) and places a HOLD here for
 * the real backoff; the next attempt parks in the activity interceptor until the hold ends. A hold ends when
 * its time is up, or early when the dependency answers again: the health prober's check succeeds, or any call
 * to it succeeds. So the probe, not the callers, does the checking while a dependency is down.
 *
 * Two kinds of hold:
 *  - releasable: backoff after connection, server and timeout failures, and an OPEN breaker; ended early by health;
 *  - fixed: Retry-After and rate limits (bans): honoured exactly; nothing ends it early, and no probe runs
 *    against the dependency while it lasts.
 * Times are epoch ms from an injectable clock; waiting uses real timers (not for workflow code).
 */
import type { BreakerRegistry } from './circuit-breaker';
import { systemClock, type Clock } from './clock';
import { Listeners } from './listeners';

export interface GateChange {
  dependency: string;
  /** a releasable hold started (the prober should check health) or ended */
  probeWanted: boolean;
  reason: string;
}
export type GateListener = (change: GateChange) => void;

export interface GateWait {
  /** give up after this long (ms); the caller then fails its attempt with a short retry */
  maxWaitMs: number;
  /** called every tickMs while waiting (activity heartbeats) */
  onTick?: () => void;
  tickMs?: number;
  /** rejects the wait (activity cancellation) */
  cancelled?: Promise<never>;
}

export class RecoveryGate {
  private releasableUntil = 0;
  private fixedUntil = 0;
  private wakers = new Set<() => void>();

  constructor(
    readonly dependency: string,
    private readonly clock: Clock = systemClock,
    private readonly notify: GateListener = () => undefined,
  ) {}

  /** ms a caller must still wait before calling the dependency (0: go). */
  remainingMs(): number {
    return Math.max(0, Math.max(this.releasableUntil, this.fixedUntil) - this.clock.now());
  }

  /** Whether a health check should run now: a releasable hold is on and no fixed hold forbids calls. */
  probeWanted(): boolean {
    const now = this.clock.now();
    return this.releasableUntil > now && this.fixedUntil <= now;
  }

  /** Callers wait `delayMs` (ms) from now, unless released first (releasable) or exactly (fixed). Holds only grow. */
  hold(delayMs: number, releasable: boolean, reason: string): void {
    const until = this.clock.now() + Math.max(0, delayMs);
    if (releasable) {
      if (until <= this.releasableUntil) return;
      const wasWanted = this.probeWanted();
      this.releasableUntil = until;
      if (!wasWanted) this.notify({ dependency: this.dependency, probeWanted: true, reason });
    } else {
      this.fixedUntil = Math.max(this.fixedUntil, until);
    }
  }

  /** The dependency answered: releasable holds end now and their waiters go (a fixed hold stays). */
  release(reason: string): void {
    if (this.releasableUntil === 0) return;
    this.releasableUntil = 0;
    this.notify({ dependency: this.dependency, probeWanted: false, reason });
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Waits until no hold is left (true) or maxWaitMs has passed (false). Rejects with `cancelled`'s reason.
   * Releases wake every waiter at once; a hold extended meanwhile is waited out too.
   */
  async wait({ maxWaitMs, onTick, tickMs = 1_000, cancelled }: GateWait): Promise<boolean> {
    const deadline = this.clock.now() + maxWaitMs;
    for (;;) {
      const remaining = this.remainingMs();
      if (remaining === 0) return true;
      const left = deadline - this.clock.now();
      if (left <= 0) return false;
      let wake: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (wake = resolve));
      this.wakers.add(wake);
      try {
        await Promise.race([this.clock.sleep(Math.min(remaining, left, tickMs)), released, ...(cancelled ? [cancelled] : [])]);
      } finally {
        this.wakers.delete(wake);
      }
      onTick?.();
    }
  }
}

/** One gate per dependency key, created on first use; listeners hear every gate's changes. */
export class GateRegistry {
  private readonly gates = new Map<string, RecoveryGate>();
  private readonly listeners = new Listeners<GateChange>();

  constructor(private readonly clock: Clock = systemClock) {}

  get(dependency: string): RecoveryGate {
    let gate = this.gates.get(dependency);
    if (!gate) {
      gate = new RecoveryGate(dependency, this.clock, (change) => this.listeners.emit(change));
      this.gates.set(dependency, gate);
    }
    return gate;
  }

  onChange(listener: GateListener): () => void {
    return this.listeners.add(listener);
  }

  /** Every gate of this process and how long it still holds its callers (0: open), ms. */
  snapshot(): Array<{ dependency: string; remainingMs: number }> {
    return [...this.gates].map(([dependency, gate]) => ({ dependency, remainingMs: gate.remainingMs() }));
  }
}

/**
 * An OPEN breaker holds its dependency's gate (releasable) for its open duration, so callers park instead of
 * failing fast, and the prober checks health meanwhile; leaving OPEN releases them. Returns the unsubscribe.
 */
export function holdWhileOpen(breakers: BreakerRegistry, gates: GateRegistry): () => void {
  return breakers.onStateChange((change) => {
    const gate = gates.get(change.dependency);
    if (change.to === 'OPEN') gate.hold(change.retryInMs ?? breakers.policy.openDurationMs, true, `circuit breaker opened: ${change.reason}`);
    else gate.release(`circuit breaker ${change.to === 'CLOSED' ? 'closed' : 'half-open'}: ${change.reason}`);
  });
}
