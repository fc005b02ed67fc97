import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ProviderRegistry } from '../../../gateway/provider-registry.js';
import type { MediaToolkit } from '../../../media/index.js';
import type { Metrics } from '../../../observability/metrics.js';
import type { Database } from '../../../storage/index.js';

export interface HealthDependencies {
  db: Database;
  dialect: string;
  registry: ProviderRegistry;
  metrics: Metrics;
  version: string;
  startedAt: number;
  toolkit: () => Promise<MediaToolkit>;
}

async function databaseReachable(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

export function registerHealth(app: FastifyInstance, dependencies: HealthDependencies): void {
  const open = { config: { access: 'public' as const } };

  app.get('/health/live', open, async () => ({ status: 'ok' }));

  app.get('/health/ready', open, async (_request, reply) => {
    const database = await databaseReachable(dependencies.db);
    return reply
      .code(database ? 200 : 503)
      .send({ status: database ? 'ok' : 'unavailable', checks: { database } });
  });

  app.get('/health/detailed', open, async () => {
    const now = Date.now();
    const database = await databaseReachable(dependencies.db);
    const media = await dependencies.toolkit().then(
      (toolkit) => {
        const capabilities = toolkit.capabilities();
        return {
          available: true,
          version: capabilities.version,
          ffmpeg: capabilities.ffmpeg,
          ffprobe: capabilities.ffprobe,
          hardware_encoders: capabilities.hardwareEncoders.map((encoder) => encoder.encoder),
          encoders: capabilities.encoders.length,
          filters: capabilities.filters.length,
        };
      },
      (error: unknown) => ({ available: false, error: (error as Error).message }),
    );
    return {
      status: database ? 'ok' : 'degraded',
      version: dependencies.version,
      uptime_seconds: Math.round((now - dependencies.startedAt) / 1000),
      database: { dialect: dependencies.dialect, reachable: database },
      memory: { rss_bytes: process.memoryUsage.rss() },
      media,
      providers: dependencies.registry.list().map((entry) => {
        const credentials = entry.pool.list();
        return {
          id: entry.id,
          type: entry.type,
          enabled: entry.enabled,
          credentials: credentials.length,
          available: credentials.filter(
            ({ credential, health }) =>
              credential.enabled && health.disabledReason === undefined && health.cooldownUntil <= now,
          ).length,
          cooling_down: credentials.filter(({ health }) => health.cooldownUntil > now).length,
          disabled: credentials.filter(({ health }) => health.disabledReason !== undefined).length,
          in_flight: credentials.reduce((sum, { health }) => sum + health.inFlight, 0),
        };
      }),
    };
  });

  app.get('/metrics', open, async (_request, reply) => {
    const { metrics, registry } = dependencies;
    for (const entry of registry.list()) {
      const credentials = entry.pool.list();
      metrics.credentialsDisabled.set(
        { provider: entry.id },
        credentials.filter(({ health }) => health.disabledReason !== undefined).length,
      );
      metrics.credentialsInFlight.set(
        { provider: entry.id },
        credentials.reduce((sum, { health }) => sum + health.inFlight, 0),
      );
    }
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
