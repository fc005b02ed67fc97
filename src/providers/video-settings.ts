/**
 * `[providers.options] video_poll_interval_ms`: how long a job waits between video status calls.
 * Read the same way by every vendor's video capability (Gemini's too), so tests can poll fast.
 */
import * as z from 'zod';
import type { ProviderSettings } from './spec.js';

const DEFAULT_POLL_INTERVAL_MS = 2000;

const videoSettings = z.object({
  video_poll_interval_ms: z.number().int().positive().default(DEFAULT_POLL_INTERVAL_MS),
});

export function videoPollInterval(settings: ProviderSettings): number {
  const parsed = videoSettings.safeParse(settings.options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `provider ${settings.id}: options.video_poll_interval_ms: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data.video_poll_interval_ms;
}
