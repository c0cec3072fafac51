import { setImmediate as flushIo } from 'node:timers/promises';
import type { Clock } from '../../src/reliability/clock';

/** A clock that moves only when the test says so; sleepers wake as their deadline is passed. */
export class ManualClock implements Clock {
  private sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(private time = 1_000_000) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.time + Math.max(0, ms), wake }));
  }

  /** Moves time forward step by step, letting woken code run before the next step. */
  async advance(ms: number, stepMs = 1): Promise<void> {
    const end = this.time + ms;
    await settle();
    while (this.time < end) {
      this.time = Math.min(end, this.time + stepMs);
      const due = this.sleepers.filter((s) => s.at <= this.time);
      this.sleepers = this.sleepers.filter((s) => s.at > this.time);
      for (const s of due) s.wake();
      if (due.length) await settle();
    }
  }
}

/** Lets every pending promise continuation run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await flushIo();
}
