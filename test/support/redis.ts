/** Redis for tests: 127.0.0.1:6379 (or TEST_REDIS_URL); skipped loudly when absent. */
import { Redis } from 'ioredis';

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let available: Promise<boolean> | undefined;

export function isRedisAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch {
      console.warn(
        `\n*** Redis is not reachable at ${redisUrl}: BullMQ and Redis variants of these tests are SKIPPED ***\n`,
      );
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return available;
}

/** Remove every key under a test's prefix. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const client = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
