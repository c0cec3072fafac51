import { readFileSync } from 'node:fs';

/**
 * The last line of defence for "secrets never in logs" (issue item 11): every log line is scanned for the
 * values of the secrets this process was given, and each occurrence is replaced. The first lines of defence
 * are that secrets never enter objects that get logged (src/config/secrets.ts reads them at the point of use)
 * and pino's redaction of secret-looking keys (index.ts).
 *
 * The names are those src/config/secrets.ts reads: MARKETPRISM_STORE_<ID>_PASSWORD,
 * MARKETPRISM_EXCHANGE_<ID>_API_KEY / _SECRET / _PASSWORD and MARKETPRISM_BACKUP_KEY, each also as `..._FILE`
 * naming a file that holds the value.
 */
export const SECRET_ENV = /^MARKETPRISM_((STORE|EXCHANGE)_[A-Z0-9_]+_(PASSWORD|API_KEY|SECRET)|BACKUP_KEY)$/;

/** Shorter values are not scrubbed: replacing every "abc" in every line would garble the log, not protect it. */
export const MIN_SECRET_LENGTH = 4;

export const REDACTED = '[redacted]';

/** The secret values in `env` (and in the files its `_FILE` variables name), longest first. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (SECRET_ENV.test(name)) values.add(value);
    else if (name.endsWith('_FILE') && SECRET_ENV.test(name.slice(0, -'_FILE'.length))) {
      try {
        values.add(readFileSync(value, 'utf8').trim());
      } catch {
        // unreadable: secrets.ts reports it where the secret is used
      }
    }
  }
  const all = [...values].filter((v) => v.length >= MIN_SECRET_LENGTH);
  // a value also appears JSON-escaped inside a JSON line
  for (const v of [...all]) {
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) all.push(escaped);
  }
  return all.sort((a, b) => b.length - a.length);
}

/** A function replacing every given secret value in a line with REDACTED. */
export function secretScrubber(values: readonly string[]): (line: string) => string {
  if (values.length === 0) return (line) => line;
  // longest first: a secret that contains another is replaced whole
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const v of ordered) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
}
