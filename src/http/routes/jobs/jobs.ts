/** /v1/jobs: list with filters and cursor pagination, read, cancel, retry. */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { presentJob } from '../../../jobs/job-presenter.js';
import type { JobService } from '../../../jobs/job-service.js';
import type { JobStatus } from '../../../storage/index.js';
import { parseBody } from '../../validation.js';
import { visibleJob } from './job-access.js';

const statuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
const list = (values: readonly [string, ...string[]] | undefined) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(values ? z.enum(values) : z.string().min(1)));
const timestamp = z.union([
  z.coerce
    .number()
    .nonnegative()
    .transform((value) => (value < 1e11 ? value * 1000 : value)),
  z.iso.datetime().transform((value) => Date.parse(value)),
]);

const listQuerySchema = z.strictObject({
  status: list(statuses).optional(),
  type: list(undefined).optional(),
  created_after: timestamp.optional(),
  created_before: timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
});

export function registerJobs(app: FastifyInstance, jobs: JobService): void {
  app.get('/v1/jobs', async (request) => {
    const query = parseBody(listQuerySchema, request.query);
    const rows = await jobs.list({
      status: query.status as JobStatus[] | undefined,
      type: query.type,
      createdAfter: query.created_after,
      createdBefore: query.created_before,
      after: query.after,
      apiKeyId: request.principal.role === 'admin' ? undefined : request.principal.keyId,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit).map(presentJob);
    return {
      object: 'list',
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: rows.length > query.limit,
    };
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (request) =>
    presentJob(await visibleJob(jobs, request.principal, request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', async (request) => {
    await visibleJob(jobs, request.principal, request.params.id);
    return presentJob(await jobs.cancel(request.params.id));
  });

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/retry', async (request) => {
    await visibleJob(jobs, request.principal, request.params.id);
    return presentJob(await jobs.retry(request.params.id));
  });
}
