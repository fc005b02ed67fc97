/**
 * Which providers can serve a model name, in the order to try them:
 * - an alias from [[models]] expands to its targets (aliases may point at aliases);
 * - "provider/model" addresses one provider's model (listed or not);
 * - a bare name matches every enabled provider that lists it (or discovered it), in config order.
 */
import { ModelNotFoundError } from '../errors/index.js';
import type { Configuration } from '../config/index.js';
import type { ProviderEntry, ProviderRegistry } from './provider-registry.js';

export interface RouteTarget {
  provider: ProviderEntry;
  upstreamModel: string;
}

export interface CatalogModel {
  id: string;
  ownedBy: string;
  kind: 'model' | 'alias';
}

export class ModelCatalog {
  private readonly aliases: Map<string, readonly string[]>;
  /** Models that providers reported through listModels (for providers without a models list). */
  private readonly discovered = new Map<string, readonly string[]>();

  constructor(
    private readonly registry: ProviderRegistry,
    configuration: Readonly<Configuration>,
  ) {
    this.aliases = new Map(configuration.models.map((alias) => [alias.name, alias.targets]));
  }

  setDiscovered(providerId: string, models: readonly string[]): void {
    this.discovered.set(providerId, models);
  }

  resolve(name: string): RouteTarget[] {
    const targets = this.expand(name, new Set());
    if (targets.length === 0) throw new ModelNotFoundError(name);
    return targets;
  }

  private expand(name: string, visiting: Set<string>): RouteTarget[] {
    const alias = this.aliases.get(name);
    if (alias && !visiting.has(name)) {
      visiting.add(name);
      const seen = new Set<string>();
      return alias
        .flatMap((target) => this.expand(target, visiting))
        .filter((target) => {
          const key = `${target.provider.id}/${target.upstreamModel}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
    }
    const slash = name.indexOf('/');
    if (slash > 0) {
      const provider = this.registry.get(name.slice(0, slash));
      if (provider) return provider.enabled ? [{ provider, upstreamModel: name.slice(slash + 1) }] : [];
    }
    return this.registry
      .list()
      .filter((provider) => provider.enabled && this.modelsOf(provider).includes(name))
      .map((provider) => ({ provider, upstreamModel: name }));
  }

  modelsOf(provider: ProviderEntry): readonly string[] {
    return provider.models.length > 0 ? provider.models : (this.discovered.get(provider.id) ?? []);
  }

  /** Everything a client can ask for: aliases, bare model names and provider-qualified names. */
  list(): CatalogModel[] {
    const models: CatalogModel[] = [];
    const bare = new Set<string>();
    for (const provider of this.registry.list()) {
      if (!provider.enabled) continue;
      for (const model of this.modelsOf(provider)) {
        if (!bare.has(model)) {
          bare.add(model);
          models.push({ id: model, ownedBy: provider.id, kind: 'model' });
        }
        models.push({ id: `${provider.id}/${model}`, ownedBy: provider.id, kind: 'model' });
      }
    }
    for (const name of this.aliases.keys()) models.push({ id: name, ownedBy: 'atelier', kind: 'alias' });
    return models;
  }
}
