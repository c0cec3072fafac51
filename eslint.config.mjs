// Lint rules that guard the architecture, not style: workflow code must stay deterministic,
// so nothing in src/workflows may import Node built-ins or any module that does I/O.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.marketprism/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['bin/**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.flatMap((name) => [
          { name, message: 'Workflows must be deterministic: no Node APIs. Do the I/O in an activity.' },
          { name: `node:${name}`, message: 'Workflows must be deterministic: no Node APIs. Do the I/O in an activity.' },
        ]),
        patterns: [
          { group: ['node:*'], message: 'Workflows must be deterministic: no Node APIs. Do the I/O in an activity.' },
          { group: ['**/activities/*', '!**/activities/index'], message: 'Workflows reach activities through proxyActivities with `import type` only.' },
          { group: ['ccxt', '@clickhouse/*', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '**/services/*', '**/cli/*', '**/workers/*', '**/config/load'], message: 'Workflows must not import I/O modules; use an activity.' },
        ],
      }],
    },
  },
);
