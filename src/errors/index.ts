/**
 * One error family for the whole service. Every layer throws these; one place per client protocol
 * (protocols/<name>/errors.ts) renders them into that protocol's envelope.
 *
 * `kind` is protocol-neutral; renderers map it to their own `type` strings.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limit'
  | 'quota'
  | 'content_policy'
  | 'timeout'
  | 'connection'
  | 'upstream'
  | 'overloaded'
  | 'internal';

export interface AtelierErrorOptions {
  status: number;
  kind: ErrorKind;
  code?: string;
  param?: string;
  cause?: unknown;
  /** Whether another credential or provider may succeed where this one failed. */
  retryable?: boolean;
  retryAfterMs?: number;
}

export class AtelierError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: AtelierErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.kind = options.kind;
    this.code = options.code;
    this.param = options.param;
    this.retryable = options.retryable ?? isRetryableStatus(options.status);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export class InvalidRequestError extends AtelierError {
  constructor(message: string, param?: string, code = 'invalid_request') {
    super(message, { status: 400, kind: 'invalid_request', code, param, retryable: false });
  }
}

export class AuthenticationError extends AtelierError {
  constructor(message = 'Invalid or missing API key.') {
    super(message, { status: 401, kind: 'authentication', code: 'invalid_api_key', retryable: false });
  }
}

export class PermissionError extends AtelierError {
  constructor(message = 'This API key is not allowed to do that.') {
    super(message, { status: 403, kind: 'permission', code: 'permission_denied', retryable: false });
  }
}

export class NotFoundError extends AtelierError {
  constructor(message: string, code = 'not_found', param?: string) {
    super(message, { status: 404, kind: 'not_found', code, param, retryable: false });
  }
}

export class ModelNotFoundError extends NotFoundError {
  constructor(model: string) {
    super(
      `The model '${model}' does not exist or is not routable on this gateway.`,
      'model_not_found',
      'model',
    );
  }
}

export class ConflictError extends AtelierError {
  constructor(message: string) {
    super(message, { status: 409, kind: 'conflict', code: 'conflict', retryable: false });
  }
}

/** Every credential that could serve the request is busy at its max_concurrency. */
export class CapacityError extends AtelierError {
  constructor(message: string, retryAfterMs = 1000) {
    super(message, {
      status: 429,
      kind: 'rate_limit',
      code: 'capacity_exhausted',
      retryable: false,
      retryAfterMs,
    });
  }
}

/** The client went away before the answer was ready (nginx's 499); nothing is sent, nothing is logged. */
export class ClientClosedError extends AtelierError {
  constructor() {
    super('The client closed the connection.', {
      status: 499,
      kind: 'connection',
      code: 'client_closed',
      retryable: false,
    });
  }
}

export class InternalError extends AtelierError {
  constructor(message = 'Internal server error.', cause?: unknown) {
    super(message, { status: 500, kind: 'internal', code: 'internal_error', cause, retryable: false });
  }
}

/**
 * A failure reported by (or on the way to) an upstream provider. `credentialEffect` tells the pool
 * what the failure says about the credential that was used.
 */
export type CredentialEffect = 'none' | 'failure' | 'cooldown' | 'disable';

export interface ProviderErrorOptions extends Omit<AtelierErrorOptions, 'retryable'> {
  provider: string;
  upstreamStatus?: number;
  retryable: boolean;
  credentialEffect: CredentialEffect;
  /** Raw upstream body, kept for same-protocol pass-through and for logs (never contains our secrets). */
  upstreamBody?: string;
}

export class ProviderError extends AtelierError {
  readonly provider: string;
  readonly upstreamStatus: number | undefined;
  readonly credentialEffect: CredentialEffect;
  readonly upstreamBody: string | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, options);
    this.provider = options.provider;
    this.upstreamStatus = options.upstreamStatus;
    this.credentialEffect = options.credentialEffect;
    this.upstreamBody = options.upstreamBody;
  }
}

/**
 * Classify an upstream HTTP failure by status (and a kind hint parsed from the vendor's body).
 * Vendors' error parsers call this so the policy lives in one place.
 */
export function providerErrorFromStatus(input: {
  provider: string;
  status: number;
  message: string;
  hint?: ErrorKind;
  code?: string;
  param?: string;
  retryAfterMs?: number;
  upstreamBody?: string;
}): ProviderError {
  const { status } = input;
  const kind: ErrorKind =
    input.hint ??
    (status === 401
      ? 'authentication'
      : status === 403
        ? 'permission'
        : status === 404
          ? 'not_found'
          : status === 408
            ? 'timeout'
            : status === 413
              ? 'payload_too_large'
              : status === 429
                ? 'rate_limit'
                : status === 529 || status === 503
                  ? 'overloaded'
                  : status >= 500
                    ? 'upstream'
                    : 'invalid_request');
  const effect: CredentialEffect =
    kind === 'authentication' || kind === 'permission' || kind === 'quota'
      ? 'disable'
      : kind === 'rate_limit'
        ? 'cooldown'
        : kind === 'upstream' || kind === 'overloaded' || kind === 'timeout'
          ? 'failure'
          : 'none';
  const retryable =
    kind === 'authentication' ||
    kind === 'permission' ||
    kind === 'quota' ||
    kind === 'rate_limit' ||
    kind === 'upstream' ||
    kind === 'overloaded' ||
    kind === 'timeout';
  // Clients see our own status for credential problems: their key is fine, ours is not.
  const clientStatus = kind === 'authentication' || kind === 'permission' || kind === 'quota' ? 502 : status;
  return new ProviderError(input.message, {
    status: clientStatus,
    kind,
    code: input.code,
    param: input.param,
    provider: input.provider,
    upstreamStatus: status,
    retryable,
    credentialEffect: effect,
    retryAfterMs: input.retryAfterMs,
    upstreamBody: input.upstreamBody,
  });
}

export function connectionError(provider: string, cause: unknown, timedOut = false): ProviderError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ProviderError(
    timedOut
      ? `Upstream ${provider} timed out: ${reason}`
      : `Could not reach upstream ${provider}: ${reason}`,
    {
      status: timedOut ? 504 : 502,
      kind: timedOut ? 'timeout' : 'connection',
      code: timedOut ? 'upstream_timeout' : 'upstream_unreachable',
      provider,
      retryable: true,
      credentialEffect: 'failure',
      cause,
    },
  );
}

export function toAtelierError(error: unknown): AtelierError {
  if (error instanceof AtelierError) return error;
  return new InternalError('Internal server error.', error);
}
