import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { UsageRecorder } from '../../../gateway/usage-recorder.js';
import type { UsageRepository } from '../../../storage/index.js';
import { parseBody } from '../../validation.js';

const timestamp = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime().transform((value) => Date.parse(value)),
]);

const usageQuerySchema = z.strictObject({
  group_by: z.enum(['model', 'provider', 'credential', 'api_key', 'status']).default('model'),
  since: timestamp.optional(),
  until: timestamp.optional(),
});

export function registerUsage(app: FastifyInstance, usage: UsageRepository, recorder: UsageRecorder): void {
  app.get('/admin/api/usage', { config: { access: 'admin' } }, async (request) => {
    const query = parseBody(usageQuerySchema, request.query);
    const until = query.until ?? Date.now() + 1;
    const since = query.since ?? until - 24 * 3_600_000;
    await recorder.flush();
    const rows = await usage.summarize({ groupBy: query.group_by, since, until });
    const totals = rows.reduce(
      (sum, row) => ({
        requests: sum.requests + row.requests,
        errors: sum.errors + row.errors,
        input_tokens: sum.input_tokens + row.input_tokens,
        output_tokens: sum.output_tokens + row.output_tokens,
      }),
      { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0 },
    );
    return { object: 'usage_summary', group_by: query.group_by, since, until, totals, data: rows };
  });
}
