/**
 * The job system assembled for one process: event bus and queue driver chosen by configuration
 * (memory + embedded without REDIS_URL, Redis + BullMQ with it), the runner, the service, and the
 * retention sweep.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JobsConfiguration } from '../config/index.js';
import type { Database } from '../storage/index.js';
import { JobRepository, startAgeRetentionSweep } from '../storage/index.js';
import { EmbeddedQueue } from './embedded-queue.js';
import { JobEventLog } from './job-event-log.js';
import { MemoryJobEventBus, type JobEventBus } from './job-events.js';
import { JobHandlerRegistry } from './job-handler.js';
import { JobRunner } from './job-runner.js';
import { JobService, type JobTypeSettings } from './job-service.js';
import type { QueueDriver } from './queue-driver.js';

export interface JobSystem {
  service: JobService;
  handlers: JobHandlerRegistry;
  repository: JobRepository;
  driver: QueueDriver;
  bus: JobEventBus;
  /** Start running jobs in this process (after every handler is registered). */
  startWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** BullMQ and Redis are loaded only when REDIS_URL is set: the embedded mode never pays for them. */
export async function createJobSystem(options: {
  db: Database;
  configuration: Readonly<JobsConfiguration>;
  redisUrl?: string;
  logger: Logger;
}): Promise<JobSystem> {
  const { configuration, logger } = options;
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const repository = new JobRepository(options.db);
  const bus: JobEventBus = options.redisUrl
    ? new (await import('./redis-job-event-bus.js')).RedisJobEventBus(
        options.redisUrl,
        `${configuration.redis_prefix}:job-events`,
        logger,
      )
    : new MemoryJobEventBus();
  const events = new JobEventLog(repository, bus, logger);
  const handlers = new JobHandlerRegistry();
  const driver: QueueDriver = options.redisUrl
    ? new (await import('./bullmq-queue.js')).BullQueue(repository, {
        redisUrl: options.redisUrl,
        prefix: configuration.redis_prefix,
        owner,
        leaseMs: configuration.lease_ms,
        logger,
      })
    : new EmbeddedQueue(repository, {
        owner,
        leaseMs: configuration.lease_ms,
        pollIntervalMs: configuration.poll_interval_ms,
        logger,
      });
  const settings = (type: string): JobTypeSettings => {
    const defaults = handlers.get(type)?.defaults ?? { concurrency: 4, timeoutMs: 3_600_000, maxAttempts: 3 };
    const override = configuration.types[type] ?? {};
    return {
      concurrency: override.concurrency ?? defaults.concurrency,
      timeoutMs: override.timeout_ms ?? defaults.timeoutMs,
      maxAttempts: override.max_attempts ?? defaults.maxAttempts,
    };
  };
  const runner = new JobRunner({
    repository,
    events,
    handlers,
    owner,
    leaseMs: configuration.lease_ms,
    logger,
    onRequeued: (job) =>
      void driver
        .notify(job)
        .catch((error: unknown) => logger.error({ err: error }, 'could not requeue job')),
  });
  const service = new JobService(repository, events, handlers, driver, settings);
  let stopRetentionSweep = () => {};
  let workersStarted = false;

  return {
    service,
    handlers,
    repository,
    driver,
    bus,
    async startWorkers() {
      const concurrency = new Map(handlers.types().map((type) => [type, settings(type).concurrency]));
      await driver.start(runner, concurrency);
      workersStarted = true;
      stopRetentionSweep = startAgeRetentionSweep({
        rows: 'finished jobs past retention',
        retentionDays: configuration.retention_days,
        deleteBefore: (before, limit) => repository.deleteFinishedBefore(before, limit),
        logger,
      });
    },
    async stop() {
      stopRetentionSweep();
      if (workersStarted) {
        await runner.shutdown();
        await driver.stop();
      } else if (driver.kind === 'bullmq') {
        await driver.stop();
      }
      await events.flush();
      await bus.close();
    },
  };
}
