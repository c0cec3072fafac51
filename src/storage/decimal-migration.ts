import { decimalText, DECIMAL_TYPE, FITTING_DECIMAL } from './decimal-text';
import { qualified, sqlIdentifier } from './identifiers';
import type { MigrationContext } from './migrations';

/**
 * Converting a Float64 column (plain, Nullable or Array) to Decimal(38, 18) in place, so that each stored
 * double becomes exactly the decimal the write path sends for it today (src/storage/decimal-text.ts).
 *
 * `MODIFY COLUMN x Decimal(38, 18)` straight from Float64 is wrong: ClickHouse converts through binary
 * arithmetic (2.236 becomes 2.235999999999999744). Its Float64 → String conversion, though, writes the shortest
 * round-trip decimal, the same digits JS writes (checked on 18.16 and 26.x over 140,000 doubles, and by
 * test/storage/migrate-decimals.test.ts). So the column goes through String:
 *   1. MODIFY to String (same shape): every value is its double's shortest decimal.
 *   2. The few texts that are not a plain decimal Decimal(38, 18) holds (exponent forms such as 1e-8, more than
 *      18 fractional digits from float arithmetic) are read, converted by decimalText in TS, and rewritten with
 *      ALTER UPDATE ... transform(), in chunks; 18.16 refuses such text in step 3 ("Decimal value is too small").
 *   3. MODIFY to the Decimal type: ClickHouse parses decimal text exactly.
 * Each step is chosen by the column's current type, so an interrupted conversion is finished by the next run.
 * On current releases MODIFY and UPDATE are mutations; each step waits until the table has none pending. On
 * 18.16 step 3 may have to wait for replaced parts to be deleted (see convertFloatToDecimal).
 */

type Shape = 'plain' | 'nullable' | 'array';

function shapeOf(type: string): { shape: Shape; inner: string } {
  const m = /^(Nullable|Array)\((.+)\)$/.exec(type);
  if (!m) return { shape: 'plain', inner: type };
  return { shape: m[1] === 'Nullable' ? 'nullable' : 'array', inner: m[2] };
}

function wrap(shape: Shape, inner: string): string {
  return shape === 'plain' ? inner : shape === 'nullable' ? `Nullable(${inner})` : `Array(${inner})`;
}

/** true when `from` → `to` is a Float64 → Decimal(38, 18) change this module makes (maybe half done: String). */
export function isFloatToDecimal(from: string, to: string): boolean {
  const target = shapeOf(to);
  if (target.inner !== DECIMAL_TYPE) return false;
  const source = shapeOf(from);
  if ((source.shape === 'array') !== (target.shape === 'array')) return false;
  return source.inner === 'Float64' || source.inner === 'String';
}

/** Rows rewritten by one ALTER UPDATE: keeps the statement small. */
const FIX_CHUNK = 500;
/** How long one step may take to finish its mutations before the migration fails (it is retried on the next write). */
const MUTATION_TIMEOUT_MS = 10 * 60_000;

/** A text ClickHouse wrote for a Float64 ('1e-8', '-0.5', 'inf', 'nan'): safe inside a SQL string literal. */
function literal(text: string): string {
  if (!/^-?([0-9.e+-]+|inf|nan)$/.test(text)) throw new Error(`migration: unexpected Float64 text '${text}'`);
  return `'${text}'`;
}

export async function waitForMutations(ctx: MigrationContext, table: string): Promise<void> {
  const deadline = Date.now() + MUTATION_TIMEOUT_MS;
  for (;;) {
    const result = await ctx.client.query({
      query: `SELECT toString(count()) AS pending FROM system.mutations WHERE database = '${sqlIdentifier(ctx.database, 'database')}' AND table = '${sqlIdentifier(table, 'table')}' AND is_done = 0`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ pending: string }>();
    if (Number(row.pending) === 0) return;
    if (Date.now() > deadline) throw new Error(`migration: ${qualified(ctx.database, table)} still has ${row.pending} unfinished mutations; see system.mutations`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Step 2: rewrites the texts step 3 could not parse (or would parse differently from the write path). */
async function fixTexts(ctx: MigrationContext, table: string, column: string, shape: Shape): Promise<void> {
  const name = qualified(ctx.database, table);
  const fits = FITTING_DECIMAL.source.replace(/\\d/g, '[0-9]').replace(/\\/g, '\\\\');
  const value = shape === 'array' ? `arrayJoin(${column})` : shape === 'nullable' ? `assumeNotNull(${column})` : column;
  const nonNull = shape === 'nullable' ? ` AND isNotNull(${column})` : '';
  const result = await ctx.client.query({
    query: `SELECT DISTINCT v FROM (SELECT ${value} AS v FROM ${name} WHERE 1${nonNull}) WHERE NOT match(v, '${fits}')`,
    format: 'JSONEachRow',
  });
  const texts = (await result.json<{ v: string }>()).map((r) => r.v);
  for (let i = 0; i < texts.length; i += FIX_CHUNK) {
    const chunk = texts.slice(i, i + FIX_CHUNK);
    const to = chunk.map((t) => {
      const n = Number(t);
      try {
        return decimalText(n);
      } catch (err) {
        throw new Error(`migration: ${name}.${column} holds ${t}, which ${DECIMAL_TYPE} cannot hold (${(err as Error).message}); delete or correct those rows, then run again`);
      }
    });
    const from = `[${chunk.map(literal).join(', ')}]`;
    const into = `[${to.map((t) => `'${t}'`).join(', ')}]`; // decimalText's output: digits, '-' and '.' only
    const fix = (v: string): string => `transform(${v}, ${from}, ${into}, ${v})`;
    const [set, where] =
      shape === 'array'
        ? [`arrayMap(v -> ${fix('v')}, ${column})`, `arrayExists(v -> has(${from}, v), ${column})`]
        : shape === 'nullable'
          ? [`if(isNull(${column}), ${column}, ${fix(`assumeNotNull(${column})`)})`, `has(${from}, assumeNotNull(${column}))`]
          : [fix(column), `has(${from}, ${column})`];
    await ctx.exec(`ALTER TABLE ${name} UPDATE ${column} = ${set} WHERE ${where}`);
    await waitForMutations(ctx, table);
  }
}

/** Converts `column` of `table` from its current Float64 (or half-converted String) type to `target` (a Decimal type). */
export async function convertFloatToDecimal(ctx: MigrationContext, table: string, column: string, current: string, target: string): Promise<void> {
  const name = qualified(ctx.database, table);
  const { shape } = shapeOf(target);
  const text = wrap(shape, 'String');
  if (shapeOf(current).inner === 'Float64') {
    await ctx.exec(`ALTER TABLE ${name} MODIFY COLUMN ${column} ${text}`);
    await waitForMutations(ctx, table);
  }
  await fixTexts(ctx, table, column, shape);
  const modify = `ALTER TABLE ${name} MODIFY COLUMN ${column} ${target}`;
  try {
    await ctx.exec(modify);
  } catch (err) {
    // 18.16 also converts parts a merge or mutation replaced, still holding the texts step 2 rewrote ("Aborting
    // ALTER of part ..."); they are deleted after the server's old_parts_lifetime (480 s by default, 5 s on the
    // stores MarketPrism runs): wait for them, then try once more
    if (!(await waitForReplacedParts(ctx, table))) throw err;
    await ctx.exec(modify);
  }
  await waitForMutations(ctx, table);
}

/** Waits until the table has no inactive (replaced) parts; false when it had none to wait for. */
async function waitForReplacedParts(ctx: MigrationContext, table: string): Promise<boolean> {
  const deadline = Date.now() + MUTATION_TIMEOUT_MS;
  let waited = false;
  for (;;) {
    const result = await ctx.client.query({
      query: `SELECT toString(count()) AS replaced FROM system.parts WHERE database = '${sqlIdentifier(ctx.database, 'database')}' AND table = '${sqlIdentifier(table, 'table')}' AND active = 0`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ replaced: string }>();
    if (Number(row.replaced) === 0) return waited;
    if (Date.now() > deadline) throw new Error(`migration: ${qualified(ctx.database, table)} still has ${row.replaced} replaced parts; see system.parts`);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
