#!/usr/bin/env node
// The CLI runs from TypeScript sources through tsx, so `npx marketprism` works right after `npm ci`
// with no separate build step that could go stale.
require('tsx/cjs');
require('../src/cli/main.ts');
