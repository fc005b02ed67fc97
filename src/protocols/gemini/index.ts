/**
 * The Gemini (Generative Language API, v1beta) client protocol: what clients using Google's SDKs
 * send to Atelier and receive back.
 */
import type { ClientProtocol } from '../client-protocol.js';
import { decodeGeminiRequest } from './decode-request.js';
import { encodeGeminiResult } from './encode-result.js';
import { renderGeminiError } from './errors.js';
import { createGeminiStreamEncoder } from './stream-encoder.js';
import { createStreamUsageObserver, usageFromBody } from './usage.js';

export const geminiClientProtocol: ClientProtocol = {
  name: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeResult: encodeGeminiResult,
  createStreamEncoder: createGeminiStreamEncoder,
  renderError: renderGeminiError,
  usageFromBody,
  createStreamUsageObserver,
};

export type * from './wire-types.js';
export { openApiToJsonSchema } from './schema-normalize.js';
export { responseFromToolResult, toolResultFromResponse } from './function-response.js';
export { usageFromMetadata, metadataFromUsage } from './usage.js';
