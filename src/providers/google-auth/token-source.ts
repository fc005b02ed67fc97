/**
 * Access tokens for a service account, cached and refreshed ahead of expiry. Many requests share one
 * credential, so at most one refresh is in flight and every concurrent caller awaits it. A failed
 * refresh leaves the cache as it was, so the next call tries again.
 */
import type { Dispatcher } from 'undici';
import type { ServiceAccount } from './service-account.js';
import { requestAccessToken } from './token-request.js';
import type { CancelSignal } from '../cancel-signal.js';

export const DEFAULT_GOOGLE_SCOPES: readonly string[] = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/generative-language',
];

export interface ServiceAccountTokenSourceOptions {
  account: ServiceAccount;
  dispatcher: Dispatcher;
  scopes?: readonly string[];
  /** Milliseconds since the epoch; injected so tests can move time. */
  clock?: () => number;
  /** Refresh this long before the token expires, so no call carries a token that dies in flight. */
  refreshMarginMs?: number;
  timeoutMs?: number;
  /** Names the credential's provider in errors. */
  provider?: string;
}

export interface AccessTokenSource {
  getAccessToken(signal?: CancelSignal): Promise<string>;
}

interface CachedToken {
  accessToken: string;
  expiresAtMs: number;
}

export function createServiceAccountTokenSource(
  options: ServiceAccountTokenSourceOptions,
): AccessTokenSource {
  const clock = options.clock ?? Date.now;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const scopes = options.scopes ?? DEFAULT_GOOGLE_SCOPES;
  let cached: CachedToken | undefined;
  let refreshing: Promise<CachedToken> | undefined;

  async function refresh(): Promise<CachedToken> {
    const startedAtMs = clock();
    const issued = await requestAccessToken({
      account: options.account,
      dispatcher: options.dispatcher,
      scopes,
      nowMs: startedAtMs,
      timeoutMs: options.timeoutMs ?? 30_000,
      provider: options.provider ?? 'google-oauth',
    });
    // Counted from when we asked, not when the answer arrived: errs towards refreshing early.
    return { accessToken: issued.accessToken, expiresAtMs: startedAtMs + issued.expiresInSeconds * 1000 };
  }

  async function fresh(): Promise<CachedToken> {
    // Set synchronously, before any await, so callers in the same tick join this refresh.
    refreshing ??= refresh()
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        refreshing = undefined;
      });
    const previous = cached;
    try {
      return await refreshing;
    } catch (error) {
      // Inside the margin the old token still works: better than failing the call.
      if (previous && clock() < previous.expiresAtMs) return previous;
      throw error;
    }
  }

  return {
    async getAccessToken(signal?: CancelSignal): Promise<string> {
      signal?.throwIfAborted();
      if (cached && clock() < cached.expiresAtMs - refreshMarginMs) return cached.accessToken;
      const token = await untilAborted(fresh(), signal);
      return token.accessToken;
    },
  };
}

/** One caller giving up must not cancel the refresh other callers share. */
function untilAborted<T>(promise: Promise<T>, signal: CancelSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
