/**
 * The Node flags `npm start` passes (the words between `node` and `dist/main.js` in package.json's start
 * script), for whatever starts the built server itself: the benches and the bundle test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function startScriptNodeFlags(rootDir) {
  const { scripts } = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8'));
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}
