import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import type * as z from 'zod';
import { configSchema, type Configuration } from './schema.js';

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export interface LoadOptions {
  /** --config PATH from the command line. */
  path?: string;
  environment: NodeJS.ProcessEnv;
  workingDirectory: string;
}

/** Environment variables that override the file, as [variable, key path]. */
const environmentOverrides: Array<[string, string[], 'string' | 'port']> = [
  ['ATELIER_HOST', ['server', 'host'], 'string'],
  ['ATELIER_PORT', ['server', 'port'], 'port'],
  ['ATELIER_DATA_DIR', ['data_dir'], 'string'],
  ['DATABASE_URL', ['database_url'], 'string'],
  ['REDIS_URL', ['redis_url'], 'string'],
  ['ATELIER_MASTER_KEY', ['master_key'], 'string'],
  ['ATELIER_ADMIN_PASSWORD', ['admin_password'], 'string'],
  ['ATELIER_BOOTSTRAP_API_KEY', ['bootstrap_api_key'], 'string'],
  ['ATELIER_LOG_LEVEL', ['log_level'], 'string'],
  ['ATELIER_PUBLIC_URL', ['public_url'], 'string'],
  ['FFMPEG_PATH', ['media', 'ffmpeg_path'], 'string'],
  ['FFPROBE_PATH', ['media', 'ffprobe_path'], 'string'],
  ['ATELIER_WEBHOOK_SIGNING_SECRET', ['webhook_signing_secret'], 'string'],
  ['ATELIER_BLOB_STORE_URL', ['blob_store_url'], 'string'],
  ['ATELIER_S3_ACCESS_KEY_ID', ['s3_access_key_id'], 'string'],
  ['ATELIER_S3_SECRET_ACCESS_KEY', ['s3_secret_access_key'], 'string'],
];

/** Which file to read: --config, then ATELIER_CONFIG, then ./atelier.toml when present. */
export function resolveConfigPath(options: LoadOptions): string | undefined {
  if (options.path) return options.path;
  if (options.environment.ATELIER_CONFIG) return options.environment.ATELIER_CONFIG;
  const local = `${options.workingDirectory}/atelier.toml`;
  return existsSync(local) ? local : undefined;
}

export function loadConfiguration(options: LoadOptions): Readonly<Configuration> {
  const path = resolveConfigPath(options);
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(`cannot read config file ${path}: ${(error as Error).message}`);
    }
    try {
      raw = parseToml(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigurationError(`config file ${path} is not valid TOML: ${(error as Error).message}`);
    }
  }
  return parseConfiguration(applyEnvironment(raw, options.environment), path ?? 'defaults');
}

export function applyEnvironment(raw: Record<string, unknown>, environment: NodeJS.ProcessEnv) {
  const result: Record<string, unknown> = structuredClone(raw);
  for (const [variable, keyPath, kind] of environmentOverrides) {
    const value = environment[variable];
    if (value === undefined || value === '') continue;
    let target = result;
    for (const key of keyPath.slice(0, -1)) {
      const next = target[key];
      target[key] = typeof next === 'object' && next !== null ? next : {};
      target = target[key] as Record<string, unknown>;
    }
    const last = keyPath[keyPath.length - 1]!;
    if (kind === 'port') {
      const port = Number(value);
      if (!Number.isInteger(port))
        throw new ConfigurationError(`${variable}: must be an integer port, got "${value}"`);
      target[last] = port;
    } else {
      target[last] = value;
    }
  }
  return result;
}

export function parseConfiguration(raw: unknown, source: string): Readonly<Configuration> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid configuration (${source}):\n${formatIssues(parsed.error.issues)}`);
  }
  const configuration = parsed.data;
  checkReferences(configuration, source);
  return deepFreeze(configuration);
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return `  - ${formatPath(issue.path) || '(root)'}: ${issue.message}${keys}`;
    })
    .join('\n');
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function checkReferences(configuration: Configuration, source: string): void {
  const problems: string[] = [];
  const providerIds = new Set<string>();
  configuration.providers.forEach((provider, index) => {
    if (providerIds.has(provider.id))
      problems.push(`providers[${index}].id: duplicate provider id "${provider.id}"`);
    providerIds.add(provider.id);
    const credentialIds = new Set<string>();
    provider.credentials.forEach((credential, credentialIndex) => {
      if (credential.id && credentialIds.has(credential.id)) {
        problems.push(`providers[${index}].credentials[${credentialIndex}].id: duplicate "${credential.id}"`);
      }
      if (credential.id) credentialIds.add(credential.id);
    });
  });
  const aliasNames = new Set<string>();
  configuration.models.forEach((alias, index) => {
    if (aliasNames.has(alias.name)) problems.push(`models[${index}].name: duplicate alias "${alias.name}"`);
    aliasNames.add(alias.name);
    alias.targets.forEach((target, targetIndex) => {
      const slash = target.indexOf('/');
      if (slash > 0 && !providerIds.has(target.slice(0, slash)) && !aliasNames.has(target)) {
        const provider = target.slice(0, slash);
        problems.push(`models[${index}].targets[${targetIndex}]: no provider with id "${provider}"`);
      }
    });
  });
  if (problems.length > 0) {
    throw new ConfigurationError(
      `invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
