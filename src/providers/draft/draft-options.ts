/** `[providers.options]` of the draft provider; every key is optional. */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

export const draftOptionsSchema = z.strictObject({
  /** FFmpeg to render videos with; otherwise the system's (/usr/bin, /usr/local/bin), then the npm-shipped one. */
  ffmpeg_path: z.string().min(1).optional(),
  /** espeak-ng for speech; otherwise `espeak-ng` as the OS finds it. Without one there is no speech. */
  espeak_path: z.string().min(1).optional(),
  /** How long a draft video pretends to take before it is ready. */
  generation_ms: z.number().int().min(0).max(600_000).default(1_500),
});

export type DraftOptions = z.infer<typeof draftOptionsSchema>;

export function parseDraftOptions(providerId: string, options: unknown): DraftOptions {
  const parsed = draftOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = ['options', ...issue.path.map(String)].join('.');
  throw new InvalidRequestError(`Provider '${providerId}': ${key}: ${issue.message}`, key);
}
