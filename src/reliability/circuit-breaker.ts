/**
 * Circuit breaker: a pure state machine (no timers, an injectable clock) per dependency.
 *
 *   CLOSED --N consecutive failures, or failure rate >= R over the window with >= M calls--> OPEN
 *   OPEN   --open duration elapsed (next call)--> HALF_OPEN
 *   HALF_OPEN admits K probe calls: the first success --> CLOSED, the first failure --> OPEN
 *   OPEN or HALF_OPEN --a health probe succeeded (closeOnHealth)--> CLOSED
 *
 * Callers ask tryAcquire() for a permit, run the call, and report its outcome with the permit:
 * 'failure' for a dependency failure, 'ignored' for bad input (which says nothing about the
 * dependency's health and never counts), 'success' otherwise. Each state change starts a new epoch;
 * outcomes of calls admitted in an earlier epoch are ignored, so a slow call that started before the
 * breaker opened cannot close or reopen it.
 */
import { Listeners } from './listeners';
import { DEFAULT_POLICIES, type BreakerPolicy } from './policies';

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
export type Outcome = 'success' | 'failure' | 'ignored';

export interface StateChange {
  dependency: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
  at: number;
  /** For OPEN: ms until the next probe may go through. */
  retryInMs?: number;
}
export type StateChangeListener = (change: StateChange) => void;

export type Permit =
  | { allowed: true; probe: boolean; epoch: number }
  | { allowed: false; state: BreakerState; retryInMs: number };
export type GrantedPermit = Extract<Permit, { allowed: true }>;

export interface BreakerSnapshot {
  dependency: string;
  state: BreakerState;
  consecutiveFailures: number;
  windowCalls: number;
  windowFailures: number;
  /** When OPEN: epoch ms at which the next probe may go through. */
  nextProbeAt?: number;
  probesInFlight: number;
  lastChange?: StateChange;
}

interface WindowEntry {
  at: number;
  failed: boolean;
}

export class CircuitBreaker {
  private current: BreakerState = 'CLOSED';
  private epoch = 0;
  private consecutive = 0;
  private window: WindowEntry[] = [];
  private openUntil = 0;
  private probesInFlight = 0;
  private lastChange: StateChange | undefined;
  private readonly listeners = new Listeners<StateChange>();

  constructor(
    readonly dependency: string,
    private readonly policy: BreakerPolicy = DEFAULT_POLICIES.breaker,
    private readonly now: () => number = Date.now,
  ) {}

  /** The state now (an OPEN breaker whose open duration has elapsed reports HALF_OPEN). */
  state(): BreakerState {
    this.advance();
    return this.current;
  }

  onStateChange(listener: StateChangeListener): () => void {
    return this.listeners.add(listener);
  }

  tryAcquire(): Permit {
    this.advance();
    if (this.current === 'CLOSED') return { allowed: true, probe: false, epoch: this.epoch };
    if (this.current === 'OPEN') return { allowed: false, state: 'OPEN', retryInMs: Math.max(0, this.openUntil - this.now()) };
    if (this.probesInFlight < this.policy.halfOpenProbes) {
      this.probesInFlight += 1;
      return { allowed: true, probe: true, epoch: this.epoch };
    }
    return { allowed: false, state: 'HALF_OPEN', retryInMs: this.policy.halfOpenRetryMs };
  }

  record(permit: GrantedPermit, outcome: Outcome): void {
    if (permit.epoch !== this.epoch) return;
    if (this.current === 'HALF_OPEN') {
      if (permit.probe) this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (outcome === 'success') this.transition('CLOSED', 'probe succeeded');
      else if (outcome === 'failure') this.open('probe failed');
      return;
    }
    if (this.current !== 'CLOSED' || outcome === 'ignored') return;
    const at = this.now();
    this.window.push({ at, failed: outcome === 'failure' });
    this.prune(at);
    if (outcome === 'success') {
      this.consecutive = 0;
      return;
    }
    this.consecutive += 1;
    if (this.consecutive >= this.policy.consecutiveFailures) {
      this.open(`${this.consecutive} consecutive failures`);
      return;
    }
    const failures = this.window.filter((e) => e.failed).length;
    if (this.window.length >= this.policy.minCalls && failures / this.window.length >= this.policy.failureRate) {
      this.open(`${failures} of ${this.window.length} calls failed within ${Math.round(this.policy.windowMs / 1000)}s`);
    }
  }

  /**
   * A health check of the dependency succeeded: OPEN or HALF_OPEN → CLOSED at once. The check is itself a
   * request the dependency answered; HALF_OPEN's trial calls would only keep every other caller waiting behind
   * a few real calls, and a trial fetch that pages through an outage's backlog takes seconds (issue #13:
   * measured 6 s from the probe's success to the first trial's). A dependency that fails again reopens after
   * the usual consecutive failures.
   */
  closeOnHealth(reason = 'health probe succeeded'): void {
    this.advance();
    if (this.current !== 'CLOSED') this.transition('CLOSED', reason);
  }

  snapshot(): BreakerSnapshot {
    this.advance();
    this.prune(this.now());
    const snapshot: BreakerSnapshot = {
      dependency: this.dependency,
      state: this.current,
      consecutiveFailures: this.consecutive,
      windowCalls: this.window.length,
      windowFailures: this.window.filter((e) => e.failed).length,
      probesInFlight: this.probesInFlight,
    };
    if (this.current === 'OPEN') snapshot.nextProbeAt = this.openUntil;
    if (this.lastChange) snapshot.lastChange = this.lastChange;
    return snapshot;
  }

  private advance(): void {
    if (this.current === 'OPEN' && this.now() >= this.openUntil) this.transition('HALF_OPEN', 'open duration elapsed');
  }

  private prune(at: number): void {
    const oldest = at - this.policy.windowMs;
    while (this.window.length && this.window[0].at <= oldest) this.window.shift();
  }

  private open(reason: string): void {
    this.openUntil = this.now() + this.policy.openDurationMs;
    this.transition('OPEN', reason);
  }

  private transition(to: BreakerState, reason: string): void {
    const from = this.current;
    this.current = to;
    this.epoch += 1;
    this.probesInFlight = 0;
    if (to === 'CLOSED') {
      this.consecutive = 0;
      this.window = [];
    }
    const change: StateChange = { dependency: this.dependency, from, to, reason, at: this.now() };
    if (to === 'OPEN') change.retryInMs = this.policy.openDurationMs;
    this.lastChange = change;
    this.listeners.emit(change);
  }
}

/** One breaker per dependency id (`exchange:okx`, `store:primary`), created on first use. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly listeners = new Listeners<StateChange>();

  constructor(
    readonly policy: BreakerPolicy = DEFAULT_POLICIES.breaker,
    private readonly now: () => number = Date.now,
  ) {}

  get(dependency: string): CircuitBreaker {
    let breaker = this.breakers.get(dependency);
    if (!breaker) {
      breaker = new CircuitBreaker(dependency, this.policy, this.now);
      breaker.onStateChange((change) => this.listeners.emit(change));
      this.breakers.set(dependency, breaker);
    }
    return breaker;
  }

  /** Listens to state changes of every breaker, present and future. */
  onStateChange(listener: StateChangeListener): () => void {
    return this.listeners.add(listener);
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => b.snapshot());
  }
}
