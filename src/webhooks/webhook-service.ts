/**
 * Webhooks for jobs: turns job events into deliveries (to the job's own `webhook_url`, signed with the
 * global signing secret, and to every subscription that asked for the event type, signed with its own
 * secret), runs this process's delivery loop, and administers subscriptions and deliveries.
 *
 * Scaled out, every process receives every event from the Redis bus and enqueues it; the delivery ids are
 * derived from (event, target), so the database keeps one delivery however many processes saw the event.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { JobEvent, JobEventBus, JobEventType } from '../jobs/job-events.js';
import type { JobService } from '../jobs/job-service.js';
import type { SecretBox } from '../security/secret-box.js';
import type { GuardedDispatcher } from '../security/ssrf-guard.js';
import type { JobRepository, JobRow } from '../storage/index.js';
import type {
  WebhookAttemptRow,
  WebhookDeliveryFilter,
  WebhookDeliveryRow,
  WebhookRepository,
  WebhookSubscriptionChanges,
  WebhookSubscriptionRow,
} from '../storage/repositories/webhook-repository.js';
import { DeliveryWorker, type SecretResolution } from './delivery-worker.js';
import { defaultRetrySchedule } from './retry-schedule.js';
import { generateWebhookSecret } from './signature.js';
import { activeSecrets, openSecrets, sealSecrets, type SubscriptionSecrets } from './subscription-secrets.js';
import {
  deliveryId,
  isPerJobEvent,
  subscriptionWants,
  webhookEventTypes,
  webhookPayload,
  type DeliveryTarget,
} from './webhook-events.js';
import { sendWebhook } from './webhook-sender.js';
import { assertWebhookUrl } from './webhook-url.js';

export interface WebhookServiceOptions {
  repository: WebhookRepository;
  jobs: Pick<JobService, 'get'>;
  bus: JobEventBus;
  /** The stored job events, replayed at start for what live delivery may have missed. */
  events: Pick<JobRepository, 'listEventsSince'>;
  /** How far back that replay looks (15 minutes). */
  replayWindowMs?: number;
  secretBox: SecretBox;
  /** The guarded dispatcher: every connection to a receiver is checked after DNS. */
  dispatcher: GuardedDispatcher;
  /** Signs deliveries to per-job `webhook_url`s (`whsec_…`). */
  signingSecret: string;
  logger: Logger;
  clock?: () => number;
  random?: () => number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Delays before the 2nd, 3rd … attempt; the last entry repeats. */
  retrySchedule?: readonly number[];
  pollIntervalMs?: number;
  /** Deliveries in flight at once in this process. */
  concurrency?: number;
  /** How long this process trusts its list of enabled subscriptions (others may change it meanwhile). */
  subscriptionCacheMs?: number;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  createdAt: number;
}

export interface SubscriptionInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
}

export interface SubscriptionUpdate {
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  enabled?: boolean;
}

function toSubscription(row: WebhookSubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
  };
}

/** Stored events read per query when replaying. */
const replayPage = 500;

export class WebhookService {
  readonly signingSecret: string;
  private readonly worker: DeliveryWorker;
  private readonly clock: () => number;
  private readonly pendingEnqueues = new Set<Promise<void>>();
  private subscriptionCache: { expiresAt: number; subscriptions: Promise<WebhookSubscription[]> } | undefined;
  private unsubscribe: (() => void) | undefined;
  private replay: Promise<void> | undefined;

  constructor(private readonly options: WebhookServiceOptions) {
    this.signingSecret = options.signingSecret;
    this.clock = options.clock ?? Date.now;
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.worker = new DeliveryWorker({
      repository: options.repository,
      resolveSecrets: (delivery) => this.secretsFor(delivery),
      send: (message) =>
        sendWebhook(message, { dispatcher: options.dispatcher, timeoutMs, clock: this.clock }),
      maxAttempts: options.maxAttempts ?? 8,
      retrySchedule: options.retrySchedule ?? defaultRetrySchedule,
      leaseMs: timeoutMs + 60_000,
      concurrency: options.concurrency ?? 16,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      clock: this.clock,
      random: options.random ?? Math.random,
      logger: options.logger,
    });
  }

  /** Follow job events and deliver due webhooks from this process. */
  start(): void {
    this.unsubscribe ??= this.options.bus.subscribe((event) => this.onEvent(event));
    this.replay ??= this.replayRecent().catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'could not replay recent job events for webhooks'),
    );
    this.worker.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.replay;
    this.replay = undefined;
    await Promise.all([...this.pendingEnqueues]);
    await this.worker.stop();
  }

  private onEvent(event: JobEvent): void {
    const work = this.enqueue(event).catch((error: unknown) =>
      this.options.logger.error(
        { err: error, job_id: event.jobId, event: event.type },
        'could not enqueue webhooks',
      ),
    );
    this.pendingEnqueues.add(work);
    void work.finally(() => this.pendingEnqueues.delete(work));
  }

  /**
   * Live events reach this service from the bus, after they are stored. One stored but never enqueued (the
   * process stopped between the two, or the enqueue failed) would be lost, so at start the recent past is
   * enqueued again. That is safe: a delivery's id comes from its event and target, so what exists stays as it
   * is. A subscription hears only replayed events that happened after it was created.
   */
  private async replayRecent(): Promise<void> {
    const since = this.clock() - (this.options.replayWindowMs ?? 15 * 60_000);
    const subscriptions = await this.enabledSubscriptions();
    const types = webhookEventTypes.filter(
      (type) =>
        isPerJobEvent(type) ||
        subscriptions.some((subscription) => subscriptionWants(subscription.eventTypes, type)),
    );
    let afterId = 0;
    for (;;) {
      const rows = await this.options.events.listEventsSince({ since, afterId, types, limit: replayPage });
      for (const row of rows) {
        if (!this.unsubscribe) return; // stopping
        const event: JobEvent = {
          id: row.id,
          jobId: row.job_id,
          jobType: row.job_type,
          type: row.type as JobEventType,
          data: JSON.parse(row.data) as Record<string, unknown>,
          createdAt: row.created_at,
        };
        await this.enqueue(event, { replayed: true });
      }
      if (rows.length < replayPage) return;
      afterId = rows.at(-1)!.id;
    }
  }

  private async enqueue(event: JobEvent, options: { replayed?: boolean } = {}): Promise<void> {
    const perJob = isPerJobEvent(event.type);
    const subscriptions = (await this.enabledSubscriptions()).filter(
      (subscription) =>
        subscriptionWants(subscription.eventTypes, event.type) &&
        (!options.replayed || subscription.createdAt <= event.createdAt),
    );
    if (!perJob && subscriptions.length === 0) return;
    const job = await this.findJob(event.jobId);
    if (!job) return;
    const targets: DeliveryTarget[] = subscriptions.map((subscription) => ({
      key: `subscription:${subscription.id}`,
      url: subscription.url,
      subscriptionId: subscription.id,
    }));
    if (perJob && job.webhook_url !== null) {
      targets.unshift({ key: `job:${job.webhook_url}`, url: job.webhook_url, subscriptionId: null });
    }
    if (targets.length === 0) return;
    const payload = JSON.stringify(webhookPayload(event, job));
    const now = this.clock();
    let created = false;
    for (const target of targets) {
      const inserted = await this.options.repository.insertDelivery({
        id: deliveryId(event, target),
        subscription_id: target.subscriptionId,
        job_id: event.jobId,
        url: target.url,
        event_type: event.type,
        payload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_status_code: null,
        last_error: null,
        created_at: now,
        delivered_at: null,
      });
      created ||= inserted;
    }
    if (created) this.worker.wake();
  }

  private async findJob(id: string): Promise<JobRow | undefined> {
    try {
      return await this.options.jobs.get(id);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined; // deleted past retention meanwhile
      throw error;
    }
  }

  private enabledSubscriptions(): Promise<WebhookSubscription[]> {
    const now = this.clock();
    if (!this.subscriptionCache || this.subscriptionCache.expiresAt <= now) {
      const subscriptions = this.options.repository
        .listSubscriptions({ enabledOnly: true })
        .then((rows) => rows.map(toSubscription));
      const entry = { expiresAt: now + (this.options.subscriptionCacheMs ?? 5_000), subscriptions };
      subscriptions.catch(() => {
        if (this.subscriptionCache === entry) this.subscriptionCache = undefined;
      });
      this.subscriptionCache = entry;
    }
    return this.subscriptionCache.subscriptions;
  }

  private async secretsFor(delivery: WebhookDeliveryRow): Promise<SecretResolution> {
    if (delivery.subscription_id === null) return { secrets: [this.signingSecret] };
    const row = await this.options.repository.getSubscription(delivery.subscription_id);
    if (!row) return { refused: 'The subscription was deleted.' };
    if (row.enabled !== 1) return { refused: 'The subscription is disabled.' };
    let secrets: SubscriptionSecrets;
    try {
      secrets = openSecrets(this.options.secretBox, row.secret);
    } catch {
      // Retrying cannot help: the secret was sealed under another master key.
      return { refused: 'The subscription secret cannot be opened (was the master key changed?).' };
    }
    return { secrets: activeSecrets(secrets, this.clock()) };
  }

  private assertUrl(url: string): void {
    assertWebhookUrl(url, { allowPrivateHosts: this.options.dispatcher.allowPrivateHosts }, 'url');
  }

  // Subscriptions

  async createSubscription(
    input: SubscriptionInput,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    this.assertUrl(input.url);
    const secret = generateWebhookSecret();
    const row: WebhookSubscriptionRow = {
      id: `whsub_${randomBytes(12).toString('hex')}`,
      url: input.url,
      secret: sealSecrets(this.options.secretBox, { current: secret }),
      event_types: JSON.stringify([...new Set(input.eventTypes)]),
      description: input.description ?? null,
      enabled: 1,
      created_at: this.clock(),
    };
    await this.options.repository.insertSubscription(row);
    this.subscriptionCache = undefined;
    return { subscription: toSubscription(row), secret };
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    return (await this.options.repository.listSubscriptions()).map(toSubscription);
  }

  async getSubscription(id: string): Promise<WebhookSubscription> {
    return toSubscription(await this.subscriptionRow(id));
  }

  async updateSubscription(id: string, update: SubscriptionUpdate): Promise<WebhookSubscription> {
    await this.subscriptionRow(id);
    if (update.url !== undefined) this.assertUrl(update.url);
    const changes: WebhookSubscriptionChanges = {};
    if (update.url !== undefined) changes.url = update.url;
    if (update.eventTypes !== undefined)
      changes.event_types = JSON.stringify([...new Set(update.eventTypes)]);
    if (update.description !== undefined) changes.description = update.description;
    if (update.enabled !== undefined) changes.enabled = update.enabled ? 1 : 0;
    const row = await this.options.repository.updateSubscription(id, changes);
    this.subscriptionCache = undefined;
    if (!row) throw subscriptionNotFound(id);
    return toSubscription(row);
  }

  async deleteSubscription(id: string): Promise<void> {
    if (!(await this.options.repository.deleteSubscription(id, this.clock()))) throw subscriptionNotFound(id);
    this.subscriptionCache = undefined;
  }

  /** A new secret, returned once; the previous one keeps signing alongside it for `keepPreviousMs`. */
  async rotateSecret(
    id: string,
    keepPreviousMs: number,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const row = await this.subscriptionRow(id);
    const now = this.clock();
    const current = openSecrets(this.options.secretBox, row.secret).current;
    const secret = generateWebhookSecret();
    const sealed = sealSecrets(this.options.secretBox, {
      current: secret,
      ...(keepPreviousMs > 0 ? { previous: { secret: current, expiresAt: now + keepPreviousMs } } : {}),
    });
    const updated = await this.options.repository.updateSubscription(id, { secret: sealed });
    if (!updated) throw subscriptionNotFound(id);
    return { subscription: toSubscription(updated), secret };
  }

  private async subscriptionRow(id: string): Promise<WebhookSubscriptionRow> {
    const row = await this.options.repository.getSubscription(id);
    if (!row) throw subscriptionNotFound(id);
    return row;
  }

  // Deliveries

  listDeliveries(filter: WebhookDeliveryFilter): Promise<WebhookDeliveryRow[]> {
    return this.options.repository.listDeliveries(filter);
  }

  async getDelivery(id: string): Promise<{ delivery: WebhookDeliveryRow; attempts: WebhookAttemptRow[] }> {
    const delivery = await this.options.repository.getDelivery(id);
    if (!delivery) throw deliveryNotFound(id);
    return { delivery, attempts: await this.options.repository.listAttempts(id) };
  }

  /** Send a finished delivery again, same id and payload, with a fresh attempt budget. */
  async redeliver(id: string): Promise<WebhookDeliveryRow> {
    if (!(await this.options.repository.redeliver(id, this.clock()))) {
      const delivery = await this.options.repository.getDelivery(id);
      if (!delivery) throw deliveryNotFound(id);
      throw new ConflictError(`Delivery '${id}' is still pending; it will be attempted again on its own.`);
    }
    this.worker.wake();
    return (await this.getDelivery(id)).delivery;
  }
}

function subscriptionNotFound(id: string): NotFoundError {
  return new NotFoundError(`No webhook subscription with id '${id}'.`, 'webhook_not_found', 'id');
}

function deliveryNotFound(id: string): NotFoundError {
  return new NotFoundError(`No webhook delivery with id '${id}'.`, 'webhook_delivery_not_found', 'id');
}
