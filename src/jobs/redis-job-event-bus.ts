/** Job events across processes: Redis pub/sub on one channel; every process filters what it follows. */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobEvent, JobEventBus, JobEventListener } from './job-events.js';

export class RedisJobEventBus implements JobEventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<JobEventListener>();
  private readonly ready: Promise<unknown>;

  constructor(
    url: string,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.publisher = new Redis(url, {
      maxRetriesPerRequest: null,
      lazyConnect: false,
      enableAutoPipelining: true,
    });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.subscriber.on('message', (_channel: string, message: string) => {
      let event: JobEvent;
      try {
        event = JSON.parse(message) as JobEvent;
      } catch (error) {
        this.logger.warn({ err: error }, 'ignoring a malformed job event');
        return;
      }
      for (const listener of this.listeners) listener(event);
    });
    this.ready = this.subscriber.subscribe(channel);
  }

  async publish(event: JobEvent): Promise<void> {
    await this.ready;
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
  }
}
