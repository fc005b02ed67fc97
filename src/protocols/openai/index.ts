/**
 * The OpenAI Chat Completions protocol as clients speak it to Atelier.
 */
import type { ClientProtocol } from '../client-protocol.js';
import { decodeOpenAIRequest } from './decode-request.js';
import { encodeOpenAIResult } from './encode-result.js';
import { systemEnvironment, type EncoderEnvironment } from './environment.js';
import { renderOpenAIError } from './errors.js';
import { createOpenAIStreamEncoder } from './stream-encoder.js';
import { createOpenAIStreamUsageObserver, usageFromOpenAIBody } from './usage-observer.js';

export function createOpenAIClientProtocol(
  environment: EncoderEnvironment = systemEnvironment,
): ClientProtocol {
  return {
    name: 'openai',
    decodeRequest: decodeOpenAIRequest,
    encodeResult: (result, context) => encodeOpenAIResult(result, context, environment),
    createStreamEncoder: (context) => createOpenAIStreamEncoder(context, environment),
    renderError: renderOpenAIError,
    usageFromBody: usageFromOpenAIBody,
    createStreamUsageObserver: createOpenAIStreamUsageObserver,
  };
}

export const openaiClientProtocol: ClientProtocol = createOpenAIClientProtocol();

export { wantsStreamUsage } from './decode-request.js';
export type { EncoderEnvironment } from './environment.js';
export type * from './wire-types.js';
export { finishReasonFromWire, finishReasonToWire } from './finish-reason.js';
export { usageFromWire, usageToWire } from './usage.js';
