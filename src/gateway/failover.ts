/**
 * Run one client request against its route targets with failover: for each target (provider, model) in
 * order, lease credentials from the provider's pool — never the same credential twice in one request —
 * and move on after every retryable failure, until an attempt succeeds, a non-retryable error occurs, or
 * the attempt budget is spent.
 */
import { AtelierError, CapacityError, InvalidRequestError, ProviderError } from '../errors/index.js';
import type { CallCredential } from '../providers/spec.js';
import type { Lease } from './credential-pool.js';
import type { RouteTarget } from './model-catalog.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export interface AttemptContext {
  target: RouteTarget;
  credential: CallCredential;
  signal: CancelSignal;
}

export interface FailoverResult<T> {
  value: T;
  target: RouteTarget;
  /** Still held: release it when the response (or stream) has ended. */
  lease: Lease;
  attempts: number;
}

export type Capability = 'chat' | 'image' | 'video' | 'speech' | 'transcription';

export interface FailoverOptions {
  /** What the targets must be able to do; targets without it are skipped (400 if none can). */
  capability: Capability;
  maxAttempts: number;
  queueTimeoutMs: number;
  signal: CancelSignal;
  /** Called after each failed attempt (for logs and metrics). */
  onFailure?: (target: RouteTarget, credentialId: string, error: unknown) => void;
}

/** Thrown when no credential at all could be tried (all disabled, cooling down or missing). */
export class NoCredentialAvailableError extends AtelierError {
  constructor(model: string, retryAfterMs?: number) {
    super(`No credential is available to serve '${model}' right now (all are cooling down or disabled).`, {
      status: 503,
      kind: 'overloaded',
      code: 'no_credential_available',
      retryable: false,
      retryAfterMs,
    });
  }
}

export async function runWithFailover<T>(
  model: string,
  targets: RouteTarget[],
  attempt: (context: AttemptContext) => Promise<T>,
  options: FailoverOptions,
): Promise<FailoverResult<T>> {
  const excluded = new Set<string>();
  let attempts = 0;
  let lastError: unknown;
  let saturated = false;
  for (const target of targets) {
    if (!target.provider.adapter[options.capability]) {
      lastError ??= new InvalidRequestError(
        `Model '${model}' is served by provider '${target.provider.id}' (${target.provider.type}), which does not offer ${options.capability}.`,
        'model',
      );
      continue;
    }
    while (attempts < options.maxAttempts) {
      const lease = await target.provider.pool.acquire(excluded, options.signal, options.queueTimeoutMs);
      if (options.signal.aborted) throw options.signal.reason;
      if (lease === 'saturated') {
        saturated = true;
        break;
      }
      if (!lease) break;
      excluded.add(lease.credential.id);
      attempts++;
      try {
        const credential = await lease.credential.resolve(options.signal);
        const value = await attempt({ target, credential, signal: options.signal });
        return { value, target, lease, attempts };
      } catch (error) {
        if (options.signal.aborted) {
          lease.release('neutral');
          throw error;
        }
        lease.release(error instanceof ProviderError ? error : 'neutral');
        options.onFailure?.(target, lease.credential.id, error);
        if (!(error instanceof AtelierError) || !error.retryable) throw error;
        lastError = error;
      }
    }
  }
  if (lastError) throw lastError;
  if (saturated) {
    throw new CapacityError(
      `Every credential that can serve '${model}' is at its max_concurrency; retry shortly.`,
    );
  }
  throw new NoCredentialAvailableError(model);
}
