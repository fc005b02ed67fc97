/**
 * Which job events become webhooks, for whom, under which id, with which body.
 *
 * A per-job `webhook_url` hears about the job's life (started, retrying, and its end) but not progress,
 * which would flood it. Subscriptions choose: `*` means every event but progress; progress only when
 * named explicitly.
 */
import { createHash } from 'node:crypto';
import type { JobEvent, JobEventType } from '../jobs/job-events.js';
import type { JobRow } from '../storage/index.js';
import { presentJob, type JobView } from '../jobs/job-presenter.js';

export const webhookEventTypes: readonly JobEventType[] = [
  'job.queued',
  'job.started',
  'job.progress',
  'job.retrying',
  'job.succeeded',
  'job.failed',
  'job.canceled',
];

export const ALL_EVENTS = '*';

const perJobEventTypes: ReadonlySet<JobEventType> = new Set([
  'job.started',
  'job.retrying',
  'job.succeeded',
  'job.failed',
  'job.canceled',
]);

export function isPerJobEvent(type: JobEventType): boolean {
  return perJobEventTypes.has(type);
}

export function subscriptionWants(eventTypes: readonly string[], type: JobEventType): boolean {
  if (eventTypes.includes(type)) return true;
  return type !== 'job.progress' && eventTypes.includes(ALL_EVENTS);
}

/** Where a delivery goes: a per-job URL or a subscription. `key` names the target in the delivery id. */
export interface DeliveryTarget {
  key: string;
  url: string;
  subscriptionId: string | null;
}

/**
 * The delivery id (and `webhook-id`) is derived from the event and the target, so every process that
 * receives the event from a shared bus computes the same id and the database keeps exactly one delivery.
 */
export function deliveryId(event: Pick<JobEvent, 'id' | 'jobId'>, target: DeliveryTarget): string {
  const digest = createHash('sha256').update(`${event.jobId}:${event.id}:${target.key}`).digest('hex');
  return `msg_${digest.slice(0, 24)}`;
}

export interface WebhookPayload {
  type: JobEventType;
  timestamp: string;
  data: JobView;
}

export function webhookPayload(event: JobEvent, job: JobRow): WebhookPayload {
  return { type: event.type, timestamp: new Date(event.createdAt).toISOString(), data: presentJob(job) };
}
