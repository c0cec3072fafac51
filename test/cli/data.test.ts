import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { assertOneLineError, runCli, runCliJson } from '../support/cli';

/** 2032-02-03: event times no other test writes, before the days replicas.test.ts counts from (2033); a symbol no other test uses. */
const DAY = Date.UTC(2032, 1, 3);
const SYMBOL = 'DVW/USDT:USDT';

interface SummaryJson {
  stores: Array<{ store: string; series: Array<{ exchange: string; dataType: string; symbol: string; rows: number; firstEventTime: number; lastEventTime: number }> }>;
  unreachable: unknown[];
}

describe('marketprism data summary | query (docs/querying.md)', () => {
  const config = loadConfig();
  const { insertBatch, migrate } = storageActivities(config);
  // three trades; the second also fetched by a second batch (an overlap): still one row per natural key
  const PRICES = [2.236, 1.118, 0.000001234];
  const trade = (i: number, receivedAfter = 5): TradeRow => ({
    exchange: 'okx', marketType: 'swap', symbol: SYMBOL, nativeSymbol: 'DVW-USDT-SWAP', eventTime: DAY + i * 60_000, receiveTime: DAY + i * 60_000 + receivedAfter,
    tradeId: `dvw-${i}`, price: PRICES[i], amount: 3, side: 'buy', contractSize: 0.1, baseAmount: 0.3, quoteAmount: [0.6708, 0.3354, 0.0000003702][i],
  });

  before(async () => {
    for (const s of config.stores) {
      await migrate({ store: s.id });
      await insertBatch({ store: s.id, batch: { batchId: 'dvw-1', table: 'trades', rows: [trade(0), trade(1)] } });
      await insertBatch({ store: s.id, batch: { batchId: 'dvw-2', table: 'trades', rows: [trade(1, 900), trade(2)] } });
    }
  });

  it('summary: per store, rows once per natural key with the first and last event', async () => {
    const summary = await runCliJson<SummaryJson>(['data', 'summary', '--json']);
    assert.deepEqual(summary.stores.map((s) => s.store), config.stores.map((s) => s.id));
    for (const s of summary.stores) {
      const ours = s.series.filter((x) => x.symbol === SYMBOL);
      assert.deepEqual(ours, [{ exchange: 'okx', dataType: 'trades', symbol: SYMBOL, rows: 3, firstEventTime: DAY, lastEventTime: DAY + 120_000 }], s.store);
    }
    const human = await runCli(['data', 'summary', '--store', config.stores[1].id]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^STORE +EXCHANGE +TYPE +SYMBOL +ROWS +FIRST +LAST$/m);
    assert.match(human.stdout, new RegExp(`^${config.stores[1].id} +okx +trades +DVW/USDT:USDT +3 +2032-02-03T00:00:00Z +2032-02-03T00:02:00Z$`, 'm'));
    assert.doesNotMatch(human.stdout, new RegExp(`^${config.stores[0].id} `, 'm'), 'only the store asked for');
  });

  it('query: read-only SQL on a chosen store, printed as a table or JSON, decimals exact', async () => {
    const sql = `SELECT trade_id, toString(price) AS price, toString(base_amount) AS base FROM trades WHERE symbol = '${SYMBOL}' ORDER BY trade_id, batch_id DESC LIMIT 1 BY trade_id`;
    const json = await runCliJson<{ columns: string[]; rows: Array<Record<string, string>> }>(['data', 'query', sql, '--store', config.stores[2].id, '--json']);
    assert.deepEqual(json.columns, ['trade_id', 'price', 'base']);
    // the stored decimal text (18.16 pads it to 18 fractional digits; current releases do not)
    const plain = (text: string) => text.replace(/\.?0+$/, '');
    assert.deepEqual(json.rows.map((r) => [r.trade_id, plain(r.price), plain(r.base)]), [['dvw-0', '2.236', '0.3'], ['dvw-1', '1.118', '0.3'], ['dvw-2', '0.000001234', '0.3']]);
    const human = await runCli(['data', 'query', `SELECT trade_id FROM trades WHERE symbol = '${SYMBOL}' ORDER BY trade_id`, '--limit', '2']);
    assert.equal(human.code, 0, human.stderr);
    assert.deepEqual(human.stdout.trim().split('\n'), ['trade_id', 'dvw-0', 'dvw-1'], 'header, then at most --limit rows');
    // cut by --limit: said on stderr; a query's own LIMIT under --limit is not a cut
    const cut = await runCli(['data', 'query', 'SELECT number FROM numbers(100000)', '--limit', '5']);
    assert.deepEqual([cut.stdout.trim().split('\n').length, cut.stderr.trim()], [6, 'first 5 rows shown; --limit N for more']);
    const own = await runCli(['data', 'query', 'SELECT number FROM numbers(100000) LIMIT 3', '--limit', '5']);
    assert.deepEqual([own.stdout.trim().split('\n').length, own.stderr], [4, '']);
  });

  it('refuses writes, bad SQL, an unknown store and a bad limit in one line (exit 2); nothing is changed', async () => {
    await assertOneLineError(['data', 'query', `ALTER TABLE trades DELETE WHERE symbol = '${SYMBOL}'`], /primary refused the query: .*readonly/i);
    await assertOneLineError(['data', 'query', 'SELEC 1'], /primary refused the query: Syntax error/);
    await assertOneLineError(['data', 'query', 'SELECT * FROM nosuch'], /primary refused the query: .*nosuch.*; only reads run here \(SELECT, SHOW, DESCRIBE\), and docs\/querying\.md lists the tables and columns$/);
    await assertOneLineError(['data', 'query', 'SELECT 1', '--store', 'replica-9'], /--store 'replica-9': unknown store; use one of primary/);
    await assertOneLineError(['data', 'query', 'SELECT 1', '--limit', 'all'], /--limit 'all' is not a row count/);
    const still = await runCliJson<{ rows: Array<{ n: string }> }>(['data', 'query', `SELECT toString(count()) AS n FROM trades WHERE symbol = '${SYMBOL}'`, '--json']);
    assert.equal(still.rows[0].n, '4', 'the refused ALTER deleted nothing (4 stored rows: one trade in two batches)');
  });

  it('every example in docs/querying.md runs on the store', async () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/querying.md'), 'utf8');
    const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) => m[1].split(/\n\s*\n/)).map((q) => q.replace(/^--.*$/gm, '').trim()).filter(Boolean);
    assert.ok(examples.length >= 6, `examples found: ${examples.length}`);
    for (const sql of examples) {
      const r = await runCli(['data', 'query', sql, '--limit', '5', '--json']);
      assert.equal(r.code, 0, `${sql}\n${r.stderr}`);
    }
  });
});
