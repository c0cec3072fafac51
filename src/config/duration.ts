/**
 * Duration strings in config ("250ms", "1s", "5m", "1h", "30d"). Kept in its own module so schema
 * fragments that schema.ts imports (e.g. src/config/reliability-overrides.ts) can use it without a
 * circular import.
 */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "250ms", "1s", "5m", "1h", "30d" → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a duration; write it like 500ms, 1s, 5m, 1h or 30d`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}
