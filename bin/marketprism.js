#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (npm run build, done by scripts/setup.sh) when it is at least as
// new as every file under src/, so a command starts without transpiling; otherwise (a source edited since the
// last build, or no build) it runs the TypeScript sources through tsx, so it can never run stale code.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** The newest modification time (ms) of any file under dir. */
function newestUnder(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

// the newest output, not main.js: the build is incremental and rewrites only what changed
function builtIsFresh() {
  try {
    return fs.existsSync(built) && newestUnder(path.join(root, 'dist', 'src')) >= newestUnder(path.join(root, 'src'));
  } catch {
    return false;
  }
}

if (process.env.MARKETPRISM_FROM_SOURCE !== '1' && builtIsFresh()) {
  require(built);
} else {
  require('tsx/cjs');
  require('../src/cli/main.ts');
}
