import type { Config } from '../config/schema';
import { LOOPBACK } from '../config/ports';

/**
 * Where the local Temporal UI and its codec server are: the dev server serves the UI on the host of
 * `temporal.address` at `temporal.uiPort`, and calls the codec server at `temporal.codecPort` from the browser.
 */
export function temporalUiUrl(config: Config): string {
  return `http://${config.temporal.address.split(':')[0]}:${config.temporal.uiPort}`;
}

/** The codec endpoint the UI calls (it appends /decode and /encode). */
export function codecServerUrl(config: Config): string {
  return `http://${LOOPBACK}:${config.temporal.codecPort}`;
}

/**
 * Origins the local UI is opened from: the address the dev server binds it to, and both loopback names for a
 * loopback one (browsers treat http://localhost:8233 and http://127.0.0.1:8233 as different origins).
 */
export function temporalUiOrigins(config: Config): string[] {
  const host = config.temporal.address.split(':')[0];
  const hosts = host === LOOPBACK || host === 'localhost' ? [LOOPBACK, 'localhost'] : [host];
  return hosts.map((h) => `http://${h}:${config.temporal.uiPort}`);
}
