/**
 * Which dependency an activity call depends on, derived from the call itself. Convention: every
 * activity takes ONE object argument; exchange activities name the ccxt id in `exchange`, storage
 * activities the store id in `store`. Activities with neither have no breaker.
 */
export type DependencyKind = 'exchange' | 'store';

export interface Dependency {
  kind: DependencyKind;
  id: string;
  /** The breaker key: `exchange:okx`, `store:primary`. */
  key: string;
}

export function dependencyKey(kind: DependencyKind, id: string): string {
  return `${kind}:${id}`;
}

export function parseDependencyKey(key: string): Dependency | undefined {
  const match = /^(exchange|store):(.+)$/.exec(key);
  return match ? { kind: match[1] as DependencyKind, id: match[2], key } : undefined;
}

/**
 * Activities that are themselves health checks of their dependency: they are never held at its recovery gate nor
 * refused by its breaker (a probe held until the dependency is healthy could never report it down; measured: a
 * repair workflow's storeHealth parked for 88 s behind the gate of the store it was asked about).
 */
const HEALTH_CHECKS: ReadonlySet<string> = new Set(['storeHealth']);

export function dependencyOf(activityType: string, args: readonly unknown[]): Dependency | undefined {
  if (HEALTH_CHECKS.has(activityType)) return undefined;
  const input = args[0];
  if (input === null || typeof input !== 'object') return undefined;
  const { exchange, store } = input as { exchange?: unknown; store?: unknown };
  if (typeof exchange === 'string' && exchange) return { kind: 'exchange', id: exchange, key: dependencyKey('exchange', exchange) };
  if (typeof store === 'string' && store) return { kind: 'store', id: store, key: dependencyKey('store', store) };
  return undefined;
}
