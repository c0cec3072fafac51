import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The package root (the folder holding bin/marketprism.js), whether this file runs from src/ through tsx or from
 * the compiled dist/src/ (npm run build): paths to shipped files (config/, simulator/, bin/) are resolved from here.
 * Not "the folder with package.json": the build copies package.json into dist/ (src imports it for versions).
 */
export const PROJECT_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bin', 'marketprism.js'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no bin/marketprism.js above ${__dirname}: MarketPrism must run from its package`);
  }
})();
