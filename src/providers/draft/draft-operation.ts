/**
 * A draft video operation id carries everything needed to make the video — so any process, including one
 * started after a restart, can report its status and render it. Only a first frame's bytes live apart,
 * in a file named by their hash under the data directory.
 */
import * as z from 'zod';
import { NotFoundError } from '../../errors/index.js';

const prefix = 'draft_';

const factsSchema = z.strictObject({
  version: z.literal(1),
  prompt: z.string(),
  seed: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  seconds: z.number().positive(),
  fps: z.number().int().positive(),
  /** When it was started and when it is "done" (ms): fixed at start, whatever a later process is configured to. */
  startedAt: z.number().int(),
  readyAt: z.number().int(),
  /** Hash of the first frame stored under draft/frames/, for image-to-video. */
  frame: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  /** Refused by the simulated content filter. */
  refused: z.boolean().optional(),
});

export type OperationFacts = z.infer<typeof factsSchema>;

export function encodeOperation(facts: OperationFacts): string {
  return prefix + Buffer.from(JSON.stringify(facts)).toString('base64url');
}

export function decodeOperation(operationId: string): OperationFacts {
  const notFound = () =>
    new NotFoundError(`There is no draft video operation '${operationId.slice(0, 80)}'.`);
  if (!operationId.startsWith(prefix)) throw notFound();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(operationId.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    throw notFound();
  }
  const parsed = factsSchema.safeParse(value);
  if (!parsed.success) throw notFound();
  return parsed.data;
}
