/**
 * Webhook administration: subscriptions (their secret shown once, at creation and rotation), the delivery
 * log with every attempt, redelivery, and the global secret that signs per-job `webhook_url` deliveries.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type {
  WebhookAttemptRow,
  WebhookDeliveryRow,
} from '../../../storage/repositories/webhook-repository.js';
import { ALL_EVENTS, webhookEventTypes } from '../../../webhooks/webhook-events.js';
import type { WebhookService, WebhookSubscription } from '../../../webhooks/webhook-service.js';
import { parseBody } from '../../validation.js';

const eventTypesSchema = z
  .array(z.enum([ALL_EVENTS, ...webhookEventTypes]))
  .min(1)
  .max(20);

const createSchema = z.strictObject({
  url: z.string().min(1),
  event_types: eventTypesSchema,
  description: z.string().max(500).nullable().optional(),
});

const updateSchema = z.strictObject({
  url: z.string().min(1).optional(),
  event_types: eventTypesSchema.optional(),
  description: z.string().max(500).nullable().optional(),
  enabled: z.boolean().optional(),
});

const rotateSchema = z.strictObject({
  /** How long the previous secret keeps signing alongside the new one; 0 retires it at once. */
  keep_previous_seconds: z.number().int().min(0).max(604_800).default(86_400),
});

const deliveryQuerySchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  job_id: z.string().min(1).optional(),
  subscription_id: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
});

function presentSubscription(subscription: WebhookSubscription) {
  return {
    id: subscription.id,
    object: 'webhook_subscription',
    url: subscription.url,
    event_types: subscription.eventTypes,
    description: subscription.description,
    enabled: subscription.enabled,
    created_at: subscription.createdAt,
  };
}

function presentDelivery(delivery: WebhookDeliveryRow) {
  return {
    id: delivery.id,
    object: 'webhook_delivery',
    subscription_id: delivery.subscription_id,
    job_id: delivery.job_id,
    url: delivery.url,
    event_type: delivery.event_type,
    status: delivery.status,
    attempt_count: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null,
    last_status_code: delivery.last_status_code,
    last_error: delivery.last_error,
    created_at: delivery.created_at,
    delivered_at: delivery.delivered_at,
    payload: JSON.parse(delivery.payload) as unknown,
  };
}

function presentAttempt(attempt: WebhookAttemptRow) {
  return {
    attempted_at: attempt.attempted_at,
    status_code: attempt.status_code,
    error: attempt.error,
    duration_ms: attempt.duration_ms,
  };
}

export function registerWebhookAdministration(app: FastifyInstance, webhooks: WebhookService): void {
  const admin = { config: { access: 'admin' as const } };
  type WithId = { Params: { id: string } };

  app.post('/admin/api/webhooks', admin, async (request, reply) => {
    const input = parseBody(createSchema, request.body);
    const { subscription, secret } = await webhooks.createSubscription({
      url: input.url,
      eventTypes: input.event_types,
      description: input.description ?? null,
    });
    // The only time the secret is shown, besides a rotation.
    return reply.code(201).send({ ...presentSubscription(subscription), secret });
  });

  app.get('/admin/api/webhooks', admin, async () => ({
    object: 'list',
    data: (await webhooks.listSubscriptions()).map(presentSubscription),
  }));

  app.get('/admin/api/webhooks/signing-secret', admin, async () => ({
    object: 'webhook_signing_secret',
    secret: webhooks.signingSecret,
  }));

  app.get('/admin/api/webhooks/deliveries', admin, async (request) => {
    const query = parseBody(deliveryQuerySchema, request.query);
    const rows = await webhooks.listDeliveries({
      status: query.status,
      jobId: query.job_id,
      subscriptionId: query.subscription_id,
      after: query.after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      object: 'list',
      data: page.map(presentDelivery),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: rows.length > query.limit,
    };
  });

  app.get<WithId>('/admin/api/webhooks/deliveries/:id', admin, async (request) => {
    const { delivery, attempts } = await webhooks.getDelivery(request.params.id);
    return { ...presentDelivery(delivery), attempts: attempts.map(presentAttempt) };
  });

  app.post<WithId>('/admin/api/webhooks/deliveries/:id/redeliver', admin, async (request, reply) => {
    const delivery = await webhooks.redeliver(request.params.id);
    return reply.code(202).send(presentDelivery(delivery));
  });

  app.get<WithId>('/admin/api/webhooks/:id', admin, async (request) =>
    presentSubscription(await webhooks.getSubscription(request.params.id)),
  );

  app.patch<WithId>('/admin/api/webhooks/:id', admin, async (request) => {
    const input = parseBody(updateSchema, request.body);
    const subscription = await webhooks.updateSubscription(request.params.id, {
      url: input.url,
      eventTypes: input.event_types,
      description: input.description,
      enabled: input.enabled,
    });
    return presentSubscription(subscription);
  });

  app.delete<WithId>('/admin/api/webhooks/:id', admin, async (request) => {
    await webhooks.deleteSubscription(request.params.id);
    return { id: request.params.id, object: 'webhook_subscription', deleted: true };
  });

  app.post<WithId>('/admin/api/webhooks/:id/rotate-secret', admin, async (request) => {
    const input = parseBody(rotateSchema, request.body);
    const { subscription, secret } = await webhooks.rotateSecret(
      request.params.id,
      input.keep_previous_seconds * 1000,
    );
    return { ...presentSubscription(subscription), secret };
  });
}
