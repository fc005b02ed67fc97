import type * as z from 'zod';
import { InvalidRequestError } from '../errors/index.js';

/** Validate a JSON body with zod; the first problem becomes a 400 that names the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  throw new InvalidRequestError(`${path || 'body'}: ${issue.message}${keys}`, path || undefined);
}
