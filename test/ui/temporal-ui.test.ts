import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CompressionCodec } from '../../src/client/compression-codec';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import type { FetchResult } from '../../src/domain/fetch';
import type { Batch } from '../../src/domain/batch';
import { temporalUiUrl } from '../../src/services/temporal-ui';
import { collectorHarness } from '../workflows/collector-fixture';
import { eventually } from '../support/wait';

/**
 * The operator's view: the local Temporal UI (served by the dev server the test stack runs), in headless
 * Chromium from Debian driven by playwright-core. Batches are gzip-compressed into history, so without the
 * codec server the UI shows a fetch result as "H4sI…"; with it, readable JSON. Activities and timers carry
 * summaries saying what they do or wait for. Every request the page makes goes to 127.0.0.1 only.
 */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const SCREENSHOT = path.join(ARTIFACTS, 'temporal-ui-decoded-fetch.png');
const CHROMIUM = '/usr/bin/chromium';
const GZIP_ENCODING = 'binary/gzip';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function text(payload: Payload | null | undefined): string {
  return Buffer.from(payload?.data ?? []).toString('utf8');
}

/** The completed fetchTrades events of a history, with their scheduled events. */
function completedFetches(events: HistoryEvent[]): Array<{ scheduled: HistoryEvent; completed: HistoryEvent }> {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  return events.flatMap((completed) => {
    const scheduledId = completed.activityTaskCompletedEventAttributes?.scheduledEventId;
    const scheduled = scheduledId === undefined || scheduledId === null ? undefined : byId.get(Number(scheduledId));
    return scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchTrades' ? [{ scheduled, completed }] : [];
  });
}

describe('Temporal UI', () => {
  // rows in history (not staged in the worker): the fetch result the page shows decoded carries the trades
  const config = { ...loadConfig() };
  config.worker = { ...config.worker, stageBatches: false };
  const h = collectorHarness(config, [collectQueue('okx'), collectQueue('binance'), STORAGE_QUEUE], 'temporal-ui');
  let browser: Browser;

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; run scripts/setup.sh (it installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
  });

  async function openPage(): Promise<{ page: Page; offHost: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1200 } });
    const offHost: string[] = [];
    // the UI and the codec server are on this machine; anything else it asks for is refused and remembered
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offHost.push(url.origin);
      return route.abort();
    });
    return { page: await context.newPage(), offHost };
  }

  it('filters collectors by Exchange, and shows a fetch result decoded with the summaries of its activities and timers', async () => {
    // a long interval: after its first fetch the collector sleeps, so its history holds still while the page reads it
    const okx = await h.collectors.start({ exchange: 'okx', dataType: 'trades', symbols: ['ETH/USDT'], intervalMs: 60_000 });
    const binance = await h.collectors.start({ exchange: 'binance', dataType: 'trades', symbols: ['ETH/USDT'], intervalMs: 60_000 });
    await h.collectors.waitFor(okx, 'rows written', (s) => s.rowsWritten > 0);
    const { runId } = await h.client.workflow.getHandle(okx).describe();

    // what the history holds: a compressed fetch result, and summaries on the fetch and the poll timer
    const { fetch, firstTradeId } = await eventually('a compressed fetchTrades result and the poll timer in history', async () => {
      const events = (await h.client.workflow.getHandle(okx).fetchHistory()).events ?? [];
      const found = completedFetches(events).find(({ completed }) => {
        const result = completed.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
        return text({ data: result?.metadata?.encoding }) === GZIP_ENCODING;
      });
      const sleeping = events.some((e) => e.timerStartedEventAttributes && text(e.userMetadata?.summary) === '"sleep 1m until the next poll"');
      if (!found || !sleeping) return undefined;
      const raw = found.completed.activityTaskCompletedEventAttributes!.result!.payloads![0] as Payload;
      const [decoded] = await new CompressionCodec().decode([raw]);
      const result = JSON.parse(text(decoded)) as FetchResult;
      const trades = (result.batches.find((b) => b.table === 'trades') as Batch | undefined)?.rows as Array<{ tradeId: string }> | undefined;
      return trades?.length ? { fetch: found, firstTradeId: trades[0].tradeId } : undefined;
    });
    assert.match(text(fetch.scheduled.userMetadata?.summary), /^"fetch okx trades ETH\/USDT from (the start|cursor \d{4}-\d\d-\d\dT[\d:.]+Z)"$/);
    const completedId = String(fetch.completed.eventId);
    // the other collector is listed under its own exchange, so the filter below has something to leave out
    await eventually('the binance collector listed with Exchange = "binance"', async () => {
      for await (const wf of h.client.workflow.list({ query: `Exchange = "binance" AND WorkflowId = "${binance}"` })) return wf;
      return undefined;
    });

    const { page, offHost } = await openPage();
    const ui = temporalUiUrl(config);
    const ns = config.temporal.namespace;

    // the workflows list, filtered by the Exchange search attribute
    await page.goto(`${ui}/namespaces/${ns}/workflows?query=${encodeURIComponent('Exchange="okx"')}`);
    const runLink = page.getByRole('link', { name: runId, exact: true });
    await runLink.waitFor();
    assert.ok((await page.getByRole('link', { name: okx, exact: true }).count()) >= 1, 'the okx collector is listed');
    assert.equal(await page.getByRole('link', { name: binance, exact: true }).count(), 0, 'the binance collector is filtered out');

    // open the collector, its event history, and the completed fetch
    await runLink.click();
    await page.getByRole('tab', { name: /Event History/ }).click();
    // the event's row (once expanded, the details below it link the activity's events too: the row comes first)
    const row = page.locator('tr').filter({ has: page.getByRole('link', { name: completedId, exact: true }) }).first();
    await row.waitFor();
    // the row is drawn first and its payload filled in once the codec server answered
    const rowText = await eventually('the result preview of the completed fetch', async () => {
      const t = await row.innerText();
      return /Result\s+\S/.test(t) ? t : undefined;
    }, 30_000, 250);
    assert.match(rowText, /Activity Task Completed/);
    assert.match(rowText, /\{"batches":\[/, 'the result preview is decoded JSON');
    assert.doesNotMatch(rowText, /H4sI/, 'not the gzip base64 the UI shows without the codec server');
    await row.getByRole('button', { name: 'Expand details' }).click();
    const details = row.locator('xpath=following-sibling::tr[1]');
    const shown = await eventually('the decoded fetch result in the expanded event', async () => {
      const t = await details.innerText();
      // the result and the summary are decoded by separate codec calls, filled in as each answers
      return t.includes(`"tradeId": "${firstTradeId}"`) && /Summary\s+fetch okx trades/.test(t) ? t : undefined;
    }, 30_000, 250).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${(await details.innerText()).match(/Summary\s+\S[^\n]*/)?.[0] ?? 'no summary shown'}`);
    });
    assert.match(shown, /"batches": \[/);
    assert.match(shown, /"table": "trades"/);
    assert.match(shown, /Activity Type\s+fetchTrades/);
    assert.match(shown, /Summary\s+fetch okx trades ETH\/USDT from /, "the fetch's summary");
    assert.doesNotMatch(shown, /H4sI/);
    // the poll timer says what it waits for
    await page.getByText('sleep 1m until the next poll').first().waitFor();

    // the screenshot: the result, centred
    await details.getByText('"batches"').first().evaluate((e) => e.scrollIntoView({ block: 'center', inline: 'nearest' }));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    assert.ok(statSync(SCREENSHOT).size > 10_000, 'a screenshot with content');
    assert.equal(readFileSync(SCREENSHOT).subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual(offHost, [], 'the page asked for nothing off this machine');
  });
});
