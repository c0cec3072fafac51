/**
 * `npm test`: starts a private stack (Temporal dev server, three ClickHouse servers, the exchange
 * simulator, and moto's S3 server for the backup store's tests) on free ports, runs every test file against
 * it with node's test runner, then stops it.
 * It can run while a dev stack is up. Arguments narrow the run to some files: `npm test -- test/cli`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { servicesDown, servicesUp } from '../src/services/stack';
import { startMotoS3, stopMotoS3 } from '../src/services/moto-s3';
import { freePort } from '../src/services/process';
import { writeTestConfig } from './support/test-config';

function testFiles(roots: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p).sort()) walk(path.join(p, entry));
    else if (p.endsWith('.test.ts')) out.push(p);
  };
  for (const root of roots) walk(root);
  return out;
}

async function main(): Promise<number> {
  const files = testFiles(process.argv.slice(2).length ? process.argv.slice(2) : ['test']);
  if (files.length === 0) {
    process.stderr.write('no test files found\n');
    return 1;
  }
  const { file, config } = await writeTestConfig();
  process.stdout.write(`test stack: ${file}\n`);
  const started = Date.now();
  try {
    await servicesUp(config);
    // an S3-compatible server for the S3 backup store's tests (test/backup/s3-store.test.ts and others)
    const s3 = await startMotoS3(await freePort(), config.dataDir);
    process.stdout.write(`stack healthy in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // Asynchronous, so this process keeps reaping the services it started if a test kills one of them.
    const runner = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...files],
      { stdio: 'inherit', env: { ...process.env, MARKETPRISM_CONFIG: file, MARKETPRISM_TEST_S3_ENDPOINT: s3, MARKETPRISM_LOG_LEVEL: process.env.MARKETPRISM_LOG_LEVEL ?? 'error' } },
    );
    return await new Promise<number>((resolve) => runner.on('close', (code) => resolve(code ?? 1)));
  } finally {
    await stopMotoS3(config.dataDir);
    await servicesDown(config);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`test run failed: ${err.message}\n`);
    process.exit(1);
  },
);
