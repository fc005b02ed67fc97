/** Table shapes as Kysely sees them. Timestamps are integer milliseconds since the epoch. */
import type { Generated } from 'kysely';

export interface ApiKeyTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  role: 'admin' | 'user';
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ProviderTable {
  id: string;
  type: string;
  base_url: string | null;
  models: string; // JSON array
  proxy: string | null;
  timeout_ms: number | null;
  headers: string; // JSON object
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface CredentialTable {
  id: string;
  provider_id: string;
  label: string;
  /** AES-256-GCM sealed secret (see security/secret-box.ts). */
  secret: string;
  /** 'api-key' or 'service-account' */
  secret_kind: string;
  weight: number;
  priority: number;
  max_concurrency: number;
  enabled: number;
  created_at: number;
}

/** Health of every credential (from the config file or the database), kept across restarts. */
export interface CredentialStateTable {
  credential_id: string;
  disabled_reason: string | null;
  disabled_at: number | null;
  cooldown_until: number | null;
  consecutive_failures: number;
  total_requests: number;
  total_failures: number;
  last_error: string | null;
  last_error_at: number | null;
  updated_at: number;
}

export interface UsageTable {
  id: Generated<number>;
  created_at: number;
  api_key_id: string | null;
  protocol: string;
  requested_model: string;
  provider_id: string | null;
  upstream_model: string | null;
  credential_id: string | null;
  status: number;
  error_kind: string | null;
  stream: number;
  attempts: number;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
}

export interface DatabaseSchema {
  api_keys: ApiKeyTable;
  providers: ProviderTable;
  credentials: CredentialTable;
  credential_state: CredentialStateTable;
  usage_records: UsageTable;
}
