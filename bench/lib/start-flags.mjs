/**
 * The V8 flags `npm start` passes to Node (the words between `node` and `dist/main.js` in package.json's
 * start script), so the benches run Atelier exactly as it is deployed. BENCH_NODE_FLAGS overrides them.
 */
import { readFileSync } from 'node:fs';

export function startNodeFlags(rootDir) {
  if (process.env.BENCH_NODE_FLAGS !== undefined)
    return process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  const { scripts } = JSON.parse(readFileSync(new URL('package.json', `file://${rootDir}/`), 'utf8'));
  const words = scripts.start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}
