/** The Anthropic Messages API (POST /v1/messages) as a client-facing protocol. */
import type { ClientProtocol } from '../client-protocol.js';
import { decodeRequest } from './decode-request.js';
import { encodeResult } from './encode-result.js';
import { renderError } from './errors.js';
import { createStreamEncoder } from './stream-encoder.js';
import { usageFromBody } from './usage.js';
import { createStreamUsageObserver } from './usage-observer.js';

export const anthropicClientProtocol: ClientProtocol = {
  name: 'anthropic',
  decodeRequest,
  encodeResult,
  createStreamEncoder,
  renderError,
  usageFromBody,
  createStreamUsageObserver,
};

export { anthropicErrorType, errorEnvelope } from './errors.js';
export { finishReasonFromStopReason, stopReasonFromFinishReason } from './stop-reason.js';
export { anthropicUsageFrom, usageFromAnthropic } from './usage.js';
export type * from './wire-types.js';
