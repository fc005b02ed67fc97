/**
 * Gives the memory a burst of work used back to the system once the process goes quiet.
 *
 * Under load V8 grows its young generation to two semi-spaces of up to 8 MB each (`--max-semi-space-size=8`,
 * more where a deployment raises it). Only its memory reducer shrinks them again, and V8 arms the reducer
 * after a mark-compact. Since the request path stopped making old-generation garbage
 * (docs/decisions/0005-hidden-classes-on-the-request-path.md), a server can take minutes of traffic without
 * one, and then keeps memory it no longer uses for as long as it stays idle. So: every few seconds this reads
 * the process's CPU time; after a busy interval followed by a quiet one, while the young generation is grown,
 * it runs a full collection (and up to two more, 15 s apart, while the young generation stays grown). The
 * pause (a few milliseconds) falls where nothing is waiting, and the collection arms V8's reducer, which then
 * shrinks the young generation as it would have.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from 'pino';

export interface IdleMemoryOptions {
  logger: Logger;
  /** How often CPU time is read; a quiet interval is one this long. */
  intervalMs?: number;
  /** An interval that used at least this share of one core's time was work. */
  busyShare?: number;
  /** One that used at most this share was quiet. */
  quietShare?: number;
  /** Only a young generation grown past this is worth a collection. */
  youngGenerationBytes?: number;
}

type GarbageCollector = (options: { type: 'major'; execution: 'sync' }) => void;

/** Collections per quiet period at most: V8's reducer normally takes over after the first. */
const maximumCollections = 3;

/** Starts the watch; the returned function stops it. Its timer keeps no process alive. */
export function startIdleMemoryRelease(options: IdleMemoryOptions): () => void {
  const intervalMs = options.intervalMs ?? 5_000;
  const busyShare = options.busyShare ?? 0.1;
  const quietShare = options.quietShare ?? 0.02;
  const youngGenerationBytes = options.youngGenerationBytes ?? 8 * 1024 * 1024;
  const collect = garbageCollector();
  let last = process.cpuUsage();
  let worked = false;
  let quietIntervals = 0;
  let collections = 0;
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const share = (used.user + used.system) / 1000 / intervalMs;
    if (share >= busyShare) {
      worked = true;
      quietIntervals = 0;
      collections = 0;
      return;
    }
    if (!worked || share > quietShare) return;
    quietIntervals += 1;
    if (youngGenerationSize() < youngGenerationBytes) {
      worked = false; // Shrunk, or never grown: nothing to give back.
      return;
    }
    // On the first quiet interval, and twice more three intervals apart if V8 has not shrunk it by then.
    if (collections === maximumCollections || (quietIntervals - 1) % 3 !== 0) return;
    collections += 1;
    const before = process.memoryUsage.rss();
    const started = performance.now();
    collect({ type: 'major', execution: 'sync' });
    // The collection's own CPU time is not work to come back for.
    last = process.cpuUsage();
    options.logger.debug(
      {
        pauseMs: Math.round(performance.now() - started),
        rssBeforeMb: Math.round(before / 1048576),
        rssAfterMb: Math.round(process.memoryUsage.rss() / 1048576),
      },
      'idle: released memory',
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function youngGenerationSize(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * V8's `gc` function. Node hands it only to contexts created after `--expose-gc` is set, so it is set now (it
 * changes nothing else) and taken from a fresh context; `node --expose-gc` gives it directly.
 */
function garbageCollector(): GarbageCollector {
  const global = globalThis as { gc?: GarbageCollector };
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as GarbageCollector;
}
