/**
 * Every provider Atelier can route to: those in the config file and those managed through the admin API,
 * each with its adapter, its pooled dispatcher and its credential pool. Credential health is restored from
 * and written back to the database.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { defaultBaseUrls, type Configuration, type ProviderConfiguration } from '../config/index.js';
import { createDispatcher } from '../providers/http/dispatcher.js';
import type { CallCredential, Provider, ProviderType } from '../providers/spec.js';
import { maskSecret, type SecretBox } from '../security/secret-box.js';
import type {
  CredentialRecord,
  CredentialStateRecord,
  CredentialStateRepository,
  ProviderRecord,
  ProviderRepository,
} from '../storage/index.js';
import {
  CredentialPool,
  type CredentialHealth,
  type PoolCredential,
  type PoolPolicy,
} from './credential-pool.js';
import { createProviderAdapter } from './provider-factory.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

/** Local servers and the built-in draft provider often need no key: they get one anonymous credential. */
const keylessTypes: ReadonlySet<ProviderType> = new Set(['ollama', 'comfyui', 'draft']);

export interface ProviderEntry {
  id: string;
  type: ProviderType;
  baseURL: string;
  models: readonly string[];
  proxy: string | undefined;
  timeoutMs: number;
  options: Readonly<Record<string, unknown>>;
  enabled: boolean;
  source: 'config' | 'database';
  adapter: Provider;
  pool: CredentialPool;
  dispatcher: Dispatcher;
}

interface ProviderDefinition {
  id: string;
  type: ProviderType;
  baseURL: string;
  models: string[];
  proxy: string | undefined;
  timeoutMs: number | undefined;
  headers: Record<string, string>;
  options: Record<string, unknown>;
  enabled: boolean;
  source: 'config' | 'database';
}

interface CredentialDefinition {
  id: string;
  label: string;
  weight: number;
  priority: number;
  maxConcurrency: number;
  enabled: boolean;
  secret: { kind: 'api-key'; value: string } | { kind: 'service-account'; json: string };
}

export interface ProviderRegistryDependencies {
  configuration: Readonly<Configuration>;
  providers: ProviderRepository;
  credentialStates: CredentialStateRepository;
  secretBox: SecretBox;
  logger: Logger;
}

export class ProviderRegistry {
  private entries = new Map<string, ProviderEntry>();
  private readonly dirty = new Map<string, CredentialStateRecord>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly policy: PoolPolicy;

  constructor(private readonly dependencies: ProviderRegistryDependencies) {
    const { gateway } = dependencies.configuration;
    this.policy = {
      defaultCooldownMs: gateway.default_cooldown_ms,
      failureThreshold: gateway.failure_threshold,
      probeIntervalMs: gateway.probe_interval_ms,
    };
  }

  /** Build every provider from the config file and the database, restoring credential health. */
  async load(): Promise<void> {
    const definitions: Array<[ProviderDefinition, CredentialDefinition[]]> = [];
    for (const provider of this.dependencies.configuration.providers) {
      definitions.push([
        fromConfiguration(provider),
        provider.credentials.map((c, i) => credentialFromConfiguration(provider, c, i)),
      ]);
    }
    const records = await this.dependencies.providers.listProviders();
    const credentials = await this.dependencies.providers.listCredentials();
    for (const record of records) {
      if (definitions.some(([definition]) => definition.id === record.id)) continue;
      const own = credentials.filter((credential) => credential.provider_id === record.id);
      definitions.push([fromRecord(record), own.map((credential) => this.credentialFromRecord(credential))]);
    }
    const next = new Map<string, ProviderEntry>();
    for (const [definition, credentialDefinitions] of definitions) {
      next.set(definition.id, await this.build(definition, credentialDefinitions));
    }
    const previous = this.entries;
    this.entries = next;
    for (const entry of previous.values()) void entry.dispatcher.close().catch(() => undefined);
    await this.restoreHealth();
  }

  get(id: string): ProviderEntry | undefined {
    return this.entries.get(id);
  }

  list(): ProviderEntry[] {
    return [...this.entries.values()];
  }

  async close(): Promise<void> {
    await this.flushHealth();
    await Promise.all(this.list().map((entry) => entry.dispatcher.close().catch(() => undefined)));
  }

  /** Rebuild every provider after an administrative change (health is kept through the database). */
  async reload(): Promise<void> {
    await this.flushHealth();
    await this.load();
  }

  private async build(
    definition: ProviderDefinition,
    credentials: CredentialDefinition[],
  ): Promise<ProviderEntry> {
    const timeoutMs = definition.timeoutMs ?? this.dependencies.configuration.gateway.upstream_timeout_ms;
    const dispatcher = createDispatcher(definition.proxy);
    const adapter = await createProviderAdapter(definition.type, {
      id: definition.id,
      baseURL: definition.baseURL,
      dispatcher,
      timeoutMs,
      headers: definition.headers,
      options: definition.options,
      dataDir: this.dependencies.configuration.data_dir,
    });
    const pool = new CredentialPool(definition.id, this.policy, (credential, health) =>
      this.markDirty(credential, health),
    );
    const effective =
      credentials.length === 0 && keylessTypes.has(definition.type)
        ? [
            {
              id: `${definition.id}:anonymous`,
              label: 'anonymous',
              weight: 1,
              priority: 0,
              maxConcurrency: 0,
              enabled: true,
              secret: { kind: 'api-key' as const, value: '' },
            },
          ]
        : credentials;
    pool.setCredentials(
      await Promise.all(
        effective.map((credential) => this.poolCredential(definition, credential, dispatcher)),
      ),
    );
    return {
      id: definition.id,
      type: definition.type,
      baseURL: definition.baseURL,
      models: definition.models,
      proxy: definition.proxy,
      timeoutMs,
      options: definition.options,
      enabled: definition.enabled,
      source: definition.source,
      adapter,
      pool,
      dispatcher,
    };
  }

  private async poolCredential(
    definition: ProviderDefinition,
    credential: CredentialDefinition,
    dispatcher: Dispatcher,
  ): Promise<PoolCredential> {
    let resolve: (signal: CancelSignal) => Promise<CallCredential>;
    if (credential.secret.kind === 'api-key') {
      const value: CallCredential = { id: credential.id, apiKey: credential.secret.value, scheme: 'api-key' };
      resolve = async () => value;
    } else {
      // The OAuth client for Google service accounts is loaded only when one is configured.
      const { createGoogleTokenResolver } = await import('./google-credentials.js');
      resolve = createGoogleTokenResolver(credential.id, credential.secret.json, dispatcher);
    }
    return {
      id: credential.id,
      providerId: definition.id,
      label: credential.label,
      preview: credential.secret.kind === 'api-key' ? maskSecret(credential.secret.value) : 'service account',
      weight: credential.weight,
      priority: credential.priority,
      maxConcurrency: credential.maxConcurrency,
      enabled: credential.enabled,
      source: definition.source,
      resolve,
    };
  }

  private credentialFromRecord(record: CredentialRecord): CredentialDefinition {
    const plaintext = this.dependencies.secretBox.open(record.secret);
    return {
      id: record.id,
      label: record.label,
      weight: record.weight,
      priority: record.priority,
      maxConcurrency: record.max_concurrency,
      enabled: record.enabled === 1,
      secret:
        record.secret_kind === 'service-account'
          ? { kind: 'service-account', json: plaintext }
          : { kind: 'api-key', value: plaintext },
    };
  }

  private async restoreHealth(): Promise<void> {
    const states = await this.dependencies.credentialStates.list();
    const byId = new Map(states.map((state) => [state.credential_id, state]));
    for (const entry of this.entries.values()) {
      for (const { credential } of entry.pool.list()) {
        const state = byId.get(credential.id);
        if (!state) continue;
        entry.pool.restore(credential.id, {
          disabledReason: state.disabled_reason ?? undefined,
          disabledAt: state.disabled_at ?? undefined,
          // A credential disabled before the restart gets its probe soon after it.
          nextProbeAt: state.disabled_reason ? Date.now() + this.policy.probeIntervalMs : undefined,
          probeBackoffMs: this.policy.probeIntervalMs,
          cooldownUntil: state.cooldown_until ?? 0,
          consecutiveFailures: state.consecutive_failures,
          totalRequests: state.total_requests,
          totalFailures: state.total_failures,
          lastError: state.last_error ?? undefined,
          lastErrorAt: state.last_error_at ?? undefined,
        });
      }
    }
  }

  private markDirty(credential: PoolCredential, health: CredentialHealth): void {
    this.dirty.set(credential.id, {
      credential_id: credential.id,
      disabled_reason: health.disabledReason ?? null,
      disabled_at: health.disabledAt ?? null,
      cooldown_until: health.cooldownUntil || null,
      consecutive_failures: health.consecutiveFailures,
      total_requests: health.totalRequests,
      total_failures: health.totalFailures,
      last_error: health.lastError ?? null,
      last_error_at: health.lastErrorAt ?? null,
      updated_at: Date.now(),
    });
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flushHealth(), 1_000);
    this.flushTimer.unref();
  }

  async flushHealth(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const records = [...this.dirty.values()];
    this.dirty.clear();
    try {
      await this.dependencies.credentialStates.upsertMany(records);
    } catch (error) {
      this.dependencies.logger.error({ err: error }, 'could not persist credential health');
    }
  }
}

function fromConfiguration(provider: Readonly<ProviderConfiguration>): ProviderDefinition {
  return {
    id: provider.id,
    type: provider.type,
    baseURL: provider.base_url ?? defaultBaseUrls[provider.type],
    models: [...provider.models],
    proxy: provider.proxy,
    timeoutMs: provider.timeout_ms,
    headers: { ...provider.headers },
    options: { ...provider.options },
    enabled: provider.enabled,
    source: 'config',
  };
}

function fromRecord(record: ProviderRecord): ProviderDefinition {
  const type = record.type as ProviderType;
  return {
    id: record.id,
    type,
    baseURL: record.base_url ?? defaultBaseUrls[type],
    models: JSON.parse(record.models) as string[],
    proxy: record.proxy ?? undefined,
    timeoutMs: record.timeout_ms ?? undefined,
    headers: JSON.parse(record.headers) as Record<string, string>,
    options: JSON.parse(record.options) as Record<string, unknown>,
    enabled: record.enabled === 1,
    source: 'database',
  };
}

function credentialFromConfiguration(
  provider: Readonly<ProviderConfiguration>,
  credential: Readonly<ProviderConfiguration['credentials'][number]>,
  index: number,
): CredentialDefinition {
  const secret: CredentialDefinition['secret'] = credential.service_account_file
    ? { kind: 'service-account', json: readFileSync(credential.service_account_file, 'utf8') }
    : credential.service_account_json
      ? { kind: 'service-account', json: credential.service_account_json }
      : { kind: 'api-key', value: credential.api_key ?? '' };
  const fingerprint = createHash('sha256')
    .update(secret.kind === 'api-key' ? secret.value : secret.json)
    .digest('hex')
    .slice(0, 10);
  const id = `${provider.id}:${credential.id ?? fingerprint}`;
  return {
    id,
    label: credential.id ?? `credential ${index + 1}`,
    weight: credential.weight,
    priority: credential.priority,
    maxConcurrency: credential.max_concurrency,
    enabled: credential.enabled,
    secret,
  };
}
