/** Shared by the media tests: a toolkit on the real FFmpeg, fixtures, and a runner for operations. */
import { locateMediaTools } from '../../../src/media/ffmpeg-locator.js';
import { createMediaToolkit, type MediaToolkit } from '../../../src/media/media-toolkit.js';
import type { MediaLimits } from '../../../src/media/operation.js';
import { runMediaOperation, type MediaOperationResult } from '../../../src/media/run-operation.js';
import { createMediaFixtures, type MediaFixtures } from '../../media-fixtures/media-fixtures.js';

export const TEST_LIMITS: MediaLimits = {
  maxDurationSeconds: 120,
  maxPixels: 1920 * 1080,
  maxOutputBytes: 50 * 1024 * 1024,
  timeoutMs: 30_000,
};

export interface MediaTestKit {
  toolkit: MediaToolkit;
  fixtures: MediaFixtures;
  run(
    operation: string,
    inputs: string[],
    options: unknown,
    extra?: { onProgress?: (fraction: number) => void; signal?: AbortSignal },
  ): Promise<MediaOperationResult & { workDir: string }>;
}

export async function createMediaTestKit(): Promise<MediaTestKit> {
  const toolkit = await createMediaToolkit({ tools: await locateMediaTools(), detectHardware: false });
  const fixtures = await createMediaFixtures();
  return {
    toolkit,
    fixtures,
    async run(operation, inputs, options, extra = {}) {
      const workDir = await fixtures.workDir();
      const paths = await Promise.all(inputs.map((name) => fixtures.file(name)));
      const result = await runMediaOperation(toolkit, {
        operation,
        inputs: paths.map((path) => ({ path })),
        options,
        workDir,
        limits: TEST_LIMITS,
        ...extra,
      });
      return { ...result, workDir };
    },
  };
}
