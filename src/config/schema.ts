import * as z from 'zod';

const providerTypes = ['openai', 'anthropic', 'gemini', 'ollama', 'comfyui', 'draft'] as const;

export const defaultBaseUrls: Record<(typeof providerTypes)[number], string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  ollama: 'http://127.0.0.1:11434',
  comfyui: 'http://127.0.0.1:8188',
  draft: 'draft://local',
};

const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, ".", "_" or "-" (at most 64)');

const proxyUrl = z
  .string()
  .refine(
    (value) => /^(https?|socks5h?):\/\/[^\s]+$/.test(value),
    'must be an http://, https:// or socks5:// URL',
  );

export const credentialSchema = z
  .strictObject({
    id: identifier.optional(),
    api_key: z.string().min(1).optional(),
    /** Google service-account JSON key: inline JSON, or a path to the file. */
    service_account_json: z.string().min(1).optional(),
    service_account_file: z.string().min(1).optional(),
    weight: z.number().positive().default(1),
    priority: z.number().int().min(0).default(0),
    max_concurrency: z.number().int().min(0).default(0),
    enabled: z.boolean().default(true),
  })
  .refine(
    (credential) =>
      [credential.api_key, credential.service_account_json, credential.service_account_file].filter(Boolean)
        .length <= 1,
    'give only one of api_key, service_account_json, service_account_file',
  );

export const providerSchema = z.strictObject({
  id: identifier,
  type: z.enum(providerTypes),
  base_url: z.url().optional(),
  models: z.array(z.string().min(1)).default([]),
  proxy: proxyUrl.optional(),
  timeout_ms: z.number().int().positive().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Vendor-specific settings (e.g. ComfyUI workflows), validated by the provider adapter. */
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  credentials: z.array(credentialSchema).default([]),
});

export const modelAliasSchema = z.strictObject({
  name: z.string().min(1),
  targets: z.array(z.string().min(1)).min(1),
});

export const gatewaySchema = z
  .strictObject({
    /** How long a request waits for a free credential when all are at max_concurrency. */
    queue_timeout_ms: z.number().int().min(0).default(2_000),
    /** Cooldown after a 429 that carried no Retry-After. */
    default_cooldown_ms: z.number().int().positive().default(30_000),
    /** Consecutive failures that disable a credential. */
    failure_threshold: z.number().int().positive().default(3),
    /** Wait before the first half-open probe of a disabled credential; doubles up to 10 minutes. */
    probe_interval_ms: z.number().int().positive().default(30_000),
    /** Upper bound on attempts (credentials tried) for one client request. */
    max_attempts: z.number().int().positive().default(8),
    /** Default time to wait for upstream headers and the longest silence inside a stream. */
    upstream_timeout_ms: z.number().int().positive().default(120_000),
    /** Usage records are written in batches this often. */
    usage_flush_ms: z.number().int().positive().default(1_000),
    /** Usage records older than this are deleted (checked at start and every hour). */
    usage_retention_days: z.number().positive().default(90),
  })
  .prefault({});

export const jobTypeSchema = z.strictObject({
  concurrency: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_attempts: z.number().int().positive().max(100).optional(),
});

export const jobsSchema = z
  .strictObject({
    /** Whether `atelier serve` also runs job workers (with BullMQ, `atelier worker` processes may do it alone). */
    workers: z.boolean().default(true),
    /** A running job's lease: a process that stops renewing it for this long is presumed dead. */
    lease_ms: z.number().int().min(1_000).default(30_000),
    /** Embedded driver: the longest sleep between looks at the database. */
    poll_interval_ms: z.number().int().positive().default(1_000),
    /** Finished jobs (and their events) are deleted after this many days. */
    retention_days: z.number().positive().default(30),
    /** Finished webhook deliveries (delivered, or failed for good) are deleted after this many days. */
    webhook_delivery_retention_days: z.number().positive().default(30),
    /** BullMQ key prefix in Redis. */
    redis_prefix: z.string().min(1).default('atelier'),
    /** Per job type overrides, e.g. [jobs.types."video.generate"] concurrency = 100. */
    types: z.record(z.string(), jobTypeSchema).default({}),
  })
  .prefault({});

export const mediaSchema = z
  .strictObject({
    /** FFmpeg and ffprobe to use; otherwise /usr/bin, /usr/local/bin, then the npm-shipped binaries. */
    ffmpeg_path: z.string().min(1).optional(),
    ffprobe_path: z.string().min(1).optional(),
    /** Encoding jobs run at once per operation type (probe runs more). */
    concurrency: z.number().int().positive().default(2),
    max_duration_seconds: z
      .number()
      .positive()
      .default(4 * 3600),
    max_pixels: z
      .number()
      .int()
      .positive()
      .default(7680 * 4320),
    max_output_mb: z.number().positive().default(8192),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .default(2 * 3_600_000),
    /** Largest input fetched from a URL. */
    max_download_mb: z.number().positive().default(2048),
  })
  .prefault({});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(8080),
      body_limit_mb: z.number().positive().default(50),
    })
    .prefault({}),
  data_dir: z.string().min(1).default('./data'),
  database_url: z.string().min(1).optional(),
  redis_url: z.string().min(1).optional(),
  master_key: z.string().min(16, 'must be at least 16 characters').optional(),
  admin_password: z.string().min(8, 'must be at least 8 characters').optional(),
  bootstrap_api_key: z.string().min(16, 'must be at least 16 characters').optional(),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Signs webhooks sent to per-job webhook_url (whsec_…); generated into the data dir when absent. */
  webhook_signing_secret: z.string().startsWith('whsec_').optional(),
  /** Where file bytes live: file:///path (default: <data_dir>/blobs) or s3://bucket/prefix?endpoint=…&region=… */
  blob_store_url: z.string().min(1).optional(),
  s3_access_key_id: z.string().min(1).optional(),
  s3_secret_access_key: z.string().min(1).optional(),
  /**
   * Let user-supplied URLs (media inputs, webhooks) reach loopback and private networks. For local
   * development and tests only: it turns off the SSRF guard's address checks.
   */
  allow_private_network_urls: z.boolean().default(false),
  /** Largest upload accepted by POST /v1/files and multipart media endpoints. */
  max_upload_mb: z.number().positive().default(512),
  /** Base URL clients use to reach this server (for links in answers); taken from the request when absent. */
  public_url: z.url().optional(),
  gateway: gatewaySchema,
  jobs: jobsSchema,
  media: mediaSchema,
  providers: z.array(providerSchema).default([]),
  models: z.array(modelAliasSchema).default([]),
});

export type Configuration = z.infer<typeof configSchema>;
export type ProviderConfiguration = z.infer<typeof providerSchema>;
export type CredentialConfiguration = z.infer<typeof credentialSchema>;
export type GatewayConfiguration = z.infer<typeof gatewaySchema>;
export type JobsConfiguration = z.infer<typeof jobsSchema>;
export type MediaConfiguration = z.infer<typeof mediaSchema>;
export type ProviderTypeName = (typeof providerTypes)[number];
