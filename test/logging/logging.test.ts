/**
 * MarketPrism's log output (issue item 11): JSON lines when stderr is not a terminal, pretty lines on a
 * terminal or when asked, errors as class + message, and secrets from the environment never in a line.
 * Pure: no services needed (`node --import tsx --test test/logging/logging.test.ts`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { loggedError } from '../../src/logging/errors';
import { LogOutput, resolveLogFormat } from '../../src/logging/output';
import { REDACTED, secretScrubber, secretValues } from '../../src/logging/secrets';
import { pinoFields } from '../../src/workers/runtime-logger';

const FIXTURE = path.join(__dirname, 'fixtures/log-lines.ts');
const SECRETS = {
  MARKETPRISM_STORE_PRIMARY_PASSWORD: 'pw-"quoted"-9d1e',
  MARKETPRISM_EXCHANGE_OKX_API_KEY: 'key-4b7c2a90',
  MARKETPRISM_EXCHANGE_OKX_SECRET: 'sec-e31f0b77',
};

function run(command: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...SECRETS, MARKETPRISM_LOG_LEVEL: 'info' };
  delete env.MARKETPRISM_LOG_FORMAT;
  return env;
};

function assertNoSecret(text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!text.includes(value), `${name} leaked into the log`);
    assert.ok(!text.includes(JSON.stringify(value).slice(1, -1)), `${name} leaked JSON-escaped`);
  }
}

describe('log output', () => {
  it('is one JSON object per line on stderr when stderr is not a terminal, stdout untouched', async () => {
    const { code, stdout, stderr } = await run([process.execPath, '--import', 'tsx', FIXTURE], baseEnv());
    assert.equal(code, 0);
    assert.equal(stdout, '', 'logs never go to stdout (it carries --json output)');
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 4);
    assert.deepEqual(lines.map((l) => l.level), [30, 40, 50, 40]);
    assert.deepEqual(lines[1].err, { type: 'ApplicationFailure', message: 'store primary is unreachable: connect ECONNREFUSED', errorClass: 'connection' });
    assert.equal(lines[1].store, 'primary');
    assert.deepEqual(lines[2].err, { type: 'TypeError', message: `bad header ${REDACTED}` });
    assert.equal(lines[2].msg, `request with ${REDACTED} failed`);
    assert.equal(lines[3].apiKey, '[redacted]');
    assert.deepEqual(lines[3].connection, { url: 'http://127.0.0.1:8123', password: '[redacted]', nested: { note: `pw=${REDACTED}` } });
    assertNoSecret(stderr);
  });

  it('is pretty when MARKETPRISM_LOG_FORMAT=pretty, with the error class and message on the line', async () => {
    const { stderr } = await run([process.execPath, '--import', 'tsx', FIXTURE], { ...baseEnv(), MARKETPRISM_LOG_FORMAT: 'pretty' });
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 4, 'one line per record');
    assert.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: collector okx\/trades: 12 rows fetched \{"exchange":"okx","store":"primary"\}$/);
    assert.match(lines[1], /WARN: Activity failed — ApplicationFailure\[connection\]: store primary is unreachable: connect ECONNREFUSED/);
    assert.match(lines[2], /ERROR: request with \[redacted\] failed — TypeError: bad header \[redacted\]/);
    assert.ok(!stderr.includes('\u001b['), 'no colours when not on a terminal');
    assertNoSecret(stderr);
  });

  it('is pretty and coloured on a real terminal (auto), and JSON there when asked', async () => {
    const onTty = (env: NodeJS.ProcessEnv) => run(['script', '-qec', `${process.execPath} --import tsx ${FIXTURE}`, '/dev/null'], env);
    const auto = await onTty(baseEnv());
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stdout, /\u001b\[\d+mINFO\u001b\[\d+m/, 'a coloured level on the terminal');
    assert.match(auto.stdout, /collector okx\/trades: 12 rows fetched/);
    assertNoSecret(auto.stdout);
    const json = await onTty({ ...baseEnv(), MARKETPRISM_LOG_FORMAT: 'json' });
    const first = json.stdout.trim().split(/\r?\n/)[0];
    assert.equal((JSON.parse(first) as { msg: string }).msg, 'collector okx/trades: 12 rows fetched');
  });

  it('resolves auto by whether the sink is a terminal', () => {
    assert.equal(resolveLogFormat('auto', true), 'pretty');
    assert.equal(resolveLogFormat('auto', false), 'json');
    assert.equal(resolveLogFormat('json', true), 'json');
    assert.equal(resolveLogFormat('pretty', false), 'pretty');
    const written: string[] = [];
    const out = new LogOutput({ write: (l: string) => written.push(l), isTTY: false });
    out.write('{"level":30,"time":0,"msg":"hello"}\n');
    out.setFormat('pretty');
    out.write('{"level":50,"time":0,"msg":"bad","err":{"type":"RangeError","message":"too far"}}\n');
    assert.equal(written[0], '{"level":30,"time":0,"msg":"hello"}\n');
    assert.match(written[1], /ERROR: bad — RangeError: too far/);
  });
});

describe('errors in log lines', () => {
  it('carry the class and message of anything thrown', () => {
    class StoreUnavailableError extends Error {}
    class UsageError extends Error {
      override name = 'UsageError';
    }
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    assert.deepEqual(loggedError(new StoreUnavailableError('store down', { cause })), {
      type: 'StoreUnavailableError',
      message: 'store down',
      cause: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8123', code: 'ECONNREFUSED' },
    });
    assert.equal(loggedError(new UsageError('bad flag')).type, 'UsageError');
    assert.deepEqual(loggedError(ApplicationFailure.create({ type: 'rate_limit', message: '429' })), { type: 'ApplicationFailure', message: '429', errorClass: 'rate_limit' });
    assert.deepEqual(loggedError('plain text'), { type: 'string', message: 'plain text' });
    assert.deepEqual(loggedError(undefined), { type: 'undefined', message: 'undefined' });
    assert.ok(loggedError(new Error('x'), true).stack?.includes('Error: x'), 'stacks at debug level');
    assert.equal(loggedError(new Error('x')).stack, undefined);
  });

  it('from the Temporal SDK: error → err, opaque keys dropped', () => {
    const error = new Error('boom');
    assert.deepEqual(pinoFields({ error, taskToken: 'abc', workflowId: 'w', spanContexts: [], activityType: 'insertBatch', store: 'primary' }), { err: error, workflowId: 'w', activityType: 'insertBatch', store: 'primary' });
  });
});

describe('secret values', () => {
  it('are read from the variables src/config/secrets.ts reads, and from their _FILE files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-secrets-'));
    writeFileSync(path.join(dir, 'pw'), 'from-a-file-1234\n');
    const values = secretValues({
      MARKETPRISM_STORE_REPLICA_1_PASSWORD: 'store-secret',
      MARKETPRISM_EXCHANGE_BINANCE_API_KEY: 'binance-key',
      MARKETPRISM_EXCHANGE_BINANCE_SECRET: 'binance-secret',
      MARKETPRISM_EXCHANGE_OKX_PASSWORD: 'okx-passphrase',
      MARKETPRISM_BACKUP_KEY: 'backup-key-xyz',
      MARKETPRISM_STORE_PRIMARY_PASSWORD_FILE: path.join(dir, 'pw'),
      MARKETPRISM_STORE_PRIMARY_URL: 'http://127.0.0.1:8123',
      MARKETPRISM_LOG_LEVEL: 'info',
      MARKETPRISM_STORE_X_PASSWORD: 'abc',
    });
    assert.deepEqual(new Set(values), new Set(['store-secret', 'binance-key', 'binance-secret', 'okx-passphrase', 'backup-key-xyz', 'from-a-file-1234']));
  });

  it('are replaced wherever they occur in a line', () => {
    const scrub = secretScrubber(['hunter22', 'hunter2233']);
    assert.equal(scrub('a hunter2233 b hunter22 c'), `a ${REDACTED} b ${REDACTED} c`);
    assert.equal(secretScrubber([])('unchanged'), 'unchanged');
  });
});
