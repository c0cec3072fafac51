import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The package root (the folder holding package.json), whether this file runs from src/ through tsx or from the
 * compiled dist/src/ (npm run build): paths to shipped files (config/, simulator/) are resolved from here.
 */
export const PROJECT_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}: MarketPrism must run from its package`);
  }
})();
