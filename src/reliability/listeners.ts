/**
 * Observers of one kind of event. A listener that throws never breaks the code that emits (a breaker, a gate),
 * nor keeps the other listeners from hearing: observers are alerting and metrics, never control flow.
 */
export class Listeners<E> {
  private readonly set = new Set<(event: E) => void>();

  /** Adds a listener; returns the function that removes it. */
  add(listener: (event: E) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.set) {
      try {
        listener(event);
      } catch {
        // see the class comment
      }
    }
  }
}
