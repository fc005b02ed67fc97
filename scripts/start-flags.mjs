/**
 * How `npm start` runs the built server, read from package.json's start script, for whatever starts it
 * itself (the benches and the bundle tests), so that they run it as deployed:
 * - the environment the script sets before `node` (`NAME=value` words: glibc's malloc settings);
 * - the Node flags between `node` and `dist/main.js`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

function startScriptWords(rootDir) {
  const { scripts } = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8'));
  return scripts.start.split(/\s+/);
}

export function startScriptNodeFlags(rootDir) {
  const words = startScriptWords(rootDir);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}

export function startScriptEnvironment(rootDir) {
  const words = startScriptWords(rootDir);
  return Object.fromEntries(
    words.slice(0, words.indexOf('node')).map((word) => {
      const at = word.indexOf('=');
      return [word.slice(0, at), word.slice(at + 1)];
    }),
  );
}
