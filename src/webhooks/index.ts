export { WebhookService, type WebhookServiceOptions, type WebhookSubscription } from './webhook-service.js';
export { assertWebhookUrl } from './webhook-url.js';
export { generateWebhookSecret, signWebhook } from './signature.js';
export { webhookEventTypes, ALL_EVENTS } from './webhook-events.js';
export { defaultRetrySchedule } from './retry-schedule.js';
export { loadSigningSecret } from './signing-secret.js';
