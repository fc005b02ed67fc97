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
  options: string; // JSON object: vendor-specific settings
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
  jobs: JobTable;
  job_events: JobEventTable;
  files: FileTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

/** JSON columns (input, output, error, state) hold serialized text. */
export interface JobTable {
  id: string;
  type: string;
  status: JobStatus;
  priority: number;
  progress: number;
  progress_message: string | null;
  input: string;
  output: string | null;
  error: string | null;
  /** A handler's checkpoint (e.g. an upstream operation id), so a resumed job continues instead of restarting. */
  state: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Not before: the time a queued job (or a retry after backoff) becomes due. */
  run_at: number;
  updated_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  api_key_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  webhook_url: string | null;
}

export interface JobEventTable {
  id: Generated<number>;
  job_id: string;
  type: string;
  data: string;
  created_at: number;
}

export interface FileTable {
  id: string;
  purpose: string;
  filename: string;
  bytes: number;
  mime_type: string;
  sha256: string;
  blob_key: string;
  /** JSON: prompt, model, usage, media facts, draft marker … */
  metadata: string;
  api_key_id: string | null;
  job_id: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface WebhookSubscriptionTable {
  id: string;
  url: string;
  /** Sealed with the SecretBox. */
  secret: string;
  /** JSON array of event types; ["*"] for all. */
  event_types: string;
  description: string | null;
  enabled: number;
  created_at: number;
}

export interface WebhookDeliveryTable {
  /** Also the `webhook-id` header: stable across retries. */
  id: string;
  subscription_id: string | null;
  job_id: string | null;
  url: string;
  event_type: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: string;
  attempted_at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}
