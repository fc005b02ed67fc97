/**
 * `[providers.options]` of a comfyui provider: which workflow file serves which Atelier model.
 * Parsed once when the provider is built; an error names the offending key.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

const dimension = z.number().int().min(16).max(8192);

const workflowSchema = z.strictObject({
  /** API-format workflow ("Save (API)"), relative to the data directory or absolute. */
  file: z.string().min(1),
  kind: z.enum(['image', 'video']),
  /** Only this node's files are the result; otherwise every saved output is. */
  output_node: z.string().min(1).optional(),
  /** Values for size and timing placeholders when a request leaves them out. */
  defaults: z
    .strictObject({
      width: dimension.optional(),
      height: dimension.optional(),
      seconds: z.number().positive().max(600).optional(),
      fps: z.number().positive().max(240).optional(),
    })
    .optional(),
});

export const comfyUIOptionsSchema = z.strictObject({
  workflows: z.record(z.string().min(1), workflowSchema).default({}),
  /** Wait between /history reads when the WebSocket cannot be used. */
  poll_interval_ms: z.number().int().positive().default(1_000),
});

export type ComfyUIOptions = z.infer<typeof comfyUIOptionsSchema>;
export type ComfyUIWorkflowOptions = z.infer<typeof workflowSchema>;

export function parseComfyUIOptions(providerId: string, options: unknown): ComfyUIOptions {
  const parsed = comfyUIOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = ['options', ...issue.path.map(String)].join('.');
  throw new InvalidRequestError(`Provider '${providerId}': ${key}: ${issue.message}`, key);
}
