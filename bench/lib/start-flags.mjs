/**
 * The Node flags the benches start Atelier with: those of `npm start`, so it runs as deployed, unless
 * BENCH_NODE_FLAGS says otherwise.
 */
import { startScriptNodeFlags } from '../../scripts/start-flags.mjs';

export function startNodeFlags(rootDir) {
  if (process.env.BENCH_NODE_FLAGS !== undefined)
    return process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean);
  return startScriptNodeFlags(rootDir);
}
