import { SingleBar, Presets } from 'cli-progress';

/**
 * A progress bar on stderr when it is a terminal (cli-progress); nothing otherwise, so pipes and tests see
 * only the final line.
 */
export interface Progress {
  update(done: number, total: number, note?: string): void;
  stop(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} {note}`, stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, note = '') {
      if (!started) {
        bar.start(Math.max(total, 1), done, { note });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { note });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
