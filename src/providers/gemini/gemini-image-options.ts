/**
 * providerOptions.gemini for images and video: knobs only Google has, validated here and passed on.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

const geminiMediaOptions = z
  .object({
    personGeneration: z.enum(['dont_allow', 'allow_adult', 'allow_all']).optional(),
  })
  .strict();

export function geminiImageOptions(
  providerOptions: Record<string, Record<string, unknown>> | undefined,
): z.infer<typeof geminiMediaOptions> {
  const parsed = geminiMediaOptions.safeParse(providerOptions?.['gemini'] ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['providerOptions', 'gemini', ...(issue?.path ?? [])].join('.');
  throw new InvalidRequestError(`${path}: ${issue?.message ?? 'invalid value'}`, path);
}
