/**
 * Providers configured without a `models` list are asked what they serve (GET /models, /api/tags …) at start
 * and on every reload, using their first usable credential. A provider that cannot answer is logged and
 * stays reachable through "provider/model" names.
 */
import type { Logger } from 'pino';
import type { ModelCatalog } from './model-catalog.js';
import type { ProviderEntry, ProviderRegistry } from './provider-registry.js';

const discoveryTimeoutMs = 10_000;

export async function discoverModels(
  registry: ProviderRegistry,
  catalog: ModelCatalog,
  logger: Logger,
): Promise<void> {
  const pending = registry
    .list()
    .filter((entry) => entry.enabled && entry.models.length === 0 && entry.adapter.listModels)
    .map((entry) => discover(entry, catalog, logger));
  await Promise.all(pending);
}

async function discover(entry: ProviderEntry, catalog: ModelCatalog, logger: Logger): Promise<void> {
  const credential = entry.pool
    .list()
    .find(({ credential, health }) => credential.enabled && health.disabledReason === undefined);
  if (!credential) return;
  const signal = AbortSignal.timeout(discoveryTimeoutMs);
  try {
    const models = await entry.adapter.listModels!({
      credential: await credential.credential.resolve(signal),
      signal,
    });
    catalog.setDiscovered(entry.id, models);
    logger.info({ provider: entry.id, models: models.length }, 'discovered models');
  } catch (error) {
    logger.warn(
      { provider: entry.id, err: (error as Error).message },
      'could not list models; use "provider/model" names',
    );
  }
}
