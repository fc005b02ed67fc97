/** Prometheus metrics, one registry per process (so tests can build several servers). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'atelier_gateway_requests_total',
    help: 'Client requests handled by the gateway, by protocol, model and HTTP status.',
    labelNames: ['protocol', 'model', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'atelier_gateway_request_duration_seconds',
    help: 'Time from request to the end of the response (streams included).',
    labelNames: ['protocol', 'stream'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly upstreamAttempts = new Counter({
    name: 'atelier_upstream_attempts_total',
    help: 'Attempts against upstream providers, by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'atelier_tokens_total',
    help: 'Tokens reported by upstreams, by provider and direction.',
    labelNames: ['provider', 'direction'] as const,
    registers: [this.registry],
  });
  readonly credentialsDisabled = new Gauge({
    name: 'atelier_credentials_disabled',
    help: 'Credentials currently disabled, by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly credentialsInFlight = new Gauge({
    name: 'atelier_credential_requests_in_flight',
    help: 'Requests in flight, by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
