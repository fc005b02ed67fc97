import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../src/jobs/job-events.js';
import type { JobRow } from '../../../src/storage/index.js';
import { presentJob } from '../../../src/jobs/job-presenter.js';
import {
  deliveryId,
  isPerJobEvent,
  subscriptionWants,
  webhookPayload,
} from '../../../src/webhooks/webhook-events.js';

const job: JobRow = {
  id: 'job_1',
  type: 'video.generate',
  status: 'succeeded',
  priority: 0,
  progress: 1,
  progress_message: null,
  input: '{"prompt":"a cat"}',
  output: '{"file_id":"file_1"}',
  error: null,
  state: null,
  attempts: 1,
  max_attempts: 3,
  timeout_ms: 1000,
  created_at: 1_700_000_000_123,
  started_at: 1_700_000_001_999,
  finished_at: 1_700_000_060_500,
  run_at: 1_700_000_000_123,
  updated_at: 1_700_000_060_500,
  lease_owner: null,
  lease_until: null,
  api_key_id: 'key_1',
  idempotency_key: null,
  request_hash: null,
  webhook_url: 'https://example.com/hook',
};

describe('which events go where', () => {
  it('sends a job its life but not its progress or its queueing', () => {
    expect(isPerJobEvent('job.started')).toBe(true);
    expect(isPerJobEvent('job.retrying')).toBe(true);
    expect(isPerJobEvent('job.succeeded')).toBe(true);
    expect(isPerJobEvent('job.failed')).toBe(true);
    expect(isPerJobEvent('job.canceled')).toBe(true);
    expect(isPerJobEvent('job.progress')).toBe(false);
    expect(isPerJobEvent('job.queued')).toBe(false);
  });

  it("gives subscriptions what they name; '*' is everything but progress", () => {
    expect(subscriptionWants(['job.failed'], 'job.failed')).toBe(true);
    expect(subscriptionWants(['job.failed'], 'job.succeeded')).toBe(false);
    expect(subscriptionWants(['*'], 'job.queued')).toBe(true);
    expect(subscriptionWants(['*'], 'job.progress')).toBe(false);
    expect(subscriptionWants(['*', 'job.progress'], 'job.progress')).toBe(true);
  });
});

describe('deliveryId', () => {
  const target = { key: 'subscription:whsub_1', url: 'https://example.com', subscriptionId: 'whsub_1' };

  it('is the same for the same event and target, wherever it is computed', () => {
    const id = deliveryId({ id: 7, jobId: 'job_1' }, target);
    expect(id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(deliveryId({ id: 7, jobId: 'job_1' }, { ...target })).toBe(id);
  });

  it('differs by event, job and target', () => {
    const id = deliveryId({ id: 7, jobId: 'job_1' }, target);
    expect(deliveryId({ id: 8, jobId: 'job_1' }, target)).not.toBe(id);
    expect(deliveryId({ id: 7, jobId: 'job_2' }, target)).not.toBe(id);
    expect(deliveryId({ id: 7, jobId: 'job_1' }, { ...target, key: 'job:https://example.com' })).not.toBe(id);
  });
});

describe('payload', () => {
  // The job object is the one GET /v1/jobs/{id} returns.
  it('wraps it in the Standard Webhooks envelope with the event time', () => {
    const event: JobEvent = {
      id: 3,
      jobId: 'job_1',
      jobType: 'video.generate',
      type: 'job.succeeded',
      data: {},
      createdAt: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    };
    const payload = webhookPayload(event, job);
    expect(payload).toEqual({
      type: 'job.succeeded',
      timestamp: '2025-01-02T03:04:05.678Z',
      data: presentJob(job),
    });
    expect(payload.data).toMatchObject({
      id: 'job_1',
      object: 'job',
      status: 'succeeded',
      progress: 100,
      created_at: 1_700_000_000,
      finished_at: 1_700_000_060,
      input: { prompt: 'a cat' },
      output: { file_id: 'file_1' },
      error: null,
    });
  });
});
