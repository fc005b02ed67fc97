/**
 * Managing providers and credentials at run time (the admin API). Providers from the config file are
 * read-only here — the file is their source of truth — except that their credentials' health can be reset.
 * Secrets are sealed with the SecretBox before they reach the database.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { SecretBox } from '../security/secret-box.js';
import type { CredentialRecord, ProviderRecord, ProviderRepository } from '../storage/index.js';
import type { ProviderRegistry } from './provider-registry.js';

export interface ProviderInput {
  id: string;
  type: string;
  base_url?: string | undefined;
  models: string[];
  proxy?: string | undefined;
  timeout_ms?: number | undefined;
  headers: Record<string, string>;
  options: Record<string, unknown>;
  enabled: boolean;
}

export interface CredentialInput {
  label?: string | undefined;
  api_key?: string | undefined;
  service_account_json?: string | undefined;
  weight: number;
  priority: number;
  max_concurrency: number;
  enabled: boolean;
}

export class ProviderAdministration {
  constructor(
    private readonly repository: ProviderRepository,
    private readonly registry: ProviderRegistry,
    /** Rebuilds the routing state after a change (registry reload, model discovery). */
    private readonly refresh: () => Promise<void>,
    private readonly secretBox: SecretBox,
    private readonly clock: () => number = Date.now,
  ) {}

  async createProvider(input: ProviderInput, credentials: CredentialInput[]): Promise<void> {
    if (this.registry.get(input.id))
      throw new ConflictError(`A provider with id '${input.id}' already exists.`);
    const now = this.clock();
    const record: ProviderRecord = {
      id: input.id,
      type: input.type,
      base_url: input.base_url ?? null,
      models: JSON.stringify(input.models),
      proxy: input.proxy ?? null,
      timeout_ms: input.timeout_ms ?? null,
      headers: JSON.stringify(input.headers),
      options: JSON.stringify(input.options),
      enabled: input.enabled ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.repository.insertProvider(record);
    for (const credential of credentials)
      await this.repository.insertCredential(this.credentialRecord(input.id, credential));
    await this.refresh();
  }

  async updateProvider(id: string, changes: Partial<Omit<ProviderInput, 'id' | 'type'>>): Promise<void> {
    await this.editable(id);
    await this.repository.updateProvider(id, {
      ...(changes.base_url !== undefined && { base_url: changes.base_url }),
      ...(changes.models !== undefined && { models: JSON.stringify(changes.models) }),
      ...(changes.proxy !== undefined && { proxy: changes.proxy }),
      ...(changes.timeout_ms !== undefined && { timeout_ms: changes.timeout_ms }),
      ...(changes.headers !== undefined && { headers: JSON.stringify(changes.headers) }),
      ...(changes.options !== undefined && { options: JSON.stringify(changes.options) }),
      ...(changes.enabled !== undefined && { enabled: changes.enabled ? 1 : 0 }),
      updated_at: this.clock(),
    });
    await this.refresh();
  }

  async deleteProvider(id: string): Promise<void> {
    await this.editable(id);
    await this.repository.deleteProvider(id);
    await this.refresh();
  }

  async addCredential(providerId: string, input: CredentialInput): Promise<string> {
    await this.editable(providerId);
    const record = this.credentialRecord(providerId, input);
    await this.repository.insertCredential(record);
    await this.refresh();
    return record.id;
  }

  async updateCredential(
    providerId: string,
    credentialId: string,
    changes: Partial<CredentialInput>,
  ): Promise<void> {
    await this.editableCredential(providerId, credentialId);
    const secret = changes.api_key ?? changes.service_account_json;
    await this.repository.updateCredential(credentialId, {
      ...(changes.label !== undefined && { label: changes.label }),
      ...(secret !== undefined && {
        secret: this.secretBox.seal(secret),
        secret_kind: changes.service_account_json ? 'service-account' : 'api-key',
      }),
      ...(changes.weight !== undefined && { weight: changes.weight }),
      ...(changes.priority !== undefined && { priority: changes.priority }),
      ...(changes.max_concurrency !== undefined && { max_concurrency: changes.max_concurrency }),
      ...(changes.enabled !== undefined && { enabled: changes.enabled ? 1 : 0 }),
    });
    await this.refresh();
  }

  async deleteCredential(providerId: string, credentialId: string): Promise<void> {
    await this.editableCredential(providerId, credentialId);
    await this.repository.deleteCredential(credentialId);
    await this.refresh();
  }

  /** Clear a credential's cooldown and disabled state (any source). */
  resetCredential(providerId: string, credentialId: string): void {
    const provider = this.registry.get(providerId);
    if (!provider?.pool.list().some(({ credential }) => credential.id === credentialId)) {
      throw new NotFoundError(`No credential '${credentialId}' on provider '${providerId}'.`);
    }
    provider.pool.reset(credentialId);
  }

  private async editable(id: string): Promise<void> {
    const provider = this.registry.get(id);
    if (!provider) throw new NotFoundError(`No provider with id '${id}'.`);
    if (provider.source === 'config') {
      throw new ConflictError(`Provider '${id}' is defined in the config file; change it there.`);
    }
  }

  private async editableCredential(providerId: string, credentialId: string): Promise<void> {
    await this.editable(providerId);
    const record = await this.repository.getCredential(credentialId);
    if (!record || record.provider_id !== providerId) {
      throw new NotFoundError(`No credential '${credentialId}' on provider '${providerId}'.`);
    }
  }

  private credentialRecord(providerId: string, input: CredentialInput): CredentialRecord {
    const serviceAccount = input.service_account_json !== undefined;
    return {
      id: `cred_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      provider_id: providerId,
      label: input.label ?? 'credential',
      secret: this.secretBox.seal(input.service_account_json ?? input.api_key ?? ''),
      secret_kind: serviceAccount ? 'service-account' : 'api-key',
      weight: input.weight,
      priority: input.priority,
      max_concurrency: input.max_concurrency,
      enabled: input.enabled ? 1 : 0,
      created_at: this.clock(),
    };
  }
}
