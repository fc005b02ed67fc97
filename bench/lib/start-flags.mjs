/**
 * How the benches start Atelier: as `npm start` does, with its Node flags and the environment its script
 * sets, so that it runs as deployed. BENCH_NODE_FLAGS ("--flag --flag") and BENCH_START_ENV ("NAME=value …",
 * empty for none) replace them for a comparison.
 */
import { startScriptEnvironment, startScriptNodeFlags } from '../../scripts/start-flags.mjs';

const words = (value) => value.split(' ').filter(Boolean);

export function startNodeFlags(rootDir) {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return words(process.env.BENCH_NODE_FLAGS);
  return startScriptNodeFlags(rootDir);
}

export function startEnvironment(rootDir) {
  if (process.env.BENCH_START_ENV === undefined) return startScriptEnvironment(rootDir);
  return Object.fromEntries(words(process.env.BENCH_START_ENV).map((word) => word.split(/=(.*)/s, 2)));
}
