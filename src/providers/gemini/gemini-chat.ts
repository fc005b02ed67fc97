/**
 * The Gemini chat capability: generate, stream and same-protocol relay over the Generative Language API.
 */
import { readJson } from '../http/upstream-client.js';
import type { GeminiGenerateContentResponse } from '../../protocols/gemini/wire-types.js';
import {
  CHAT_SPECIFICATION_VERSION,
  type CallOptions,
  type ChatCapability,
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type ProviderSettings,
  type RelayRequest,
  type RelayResponse,
} from '../spec.js';
import { blockedPromptError } from './gemini-errors.js';
import { methodPath, sendGemini } from './gemini-http.js';
import { toGeminiRequest } from './gemini-request.js';
import { randomId, resultFromResponse, type IdGenerator } from './gemini-response.js';
import { geminiStreamEvents } from './gemini-stream.js';

export interface GeminiChatOptions {
  /** Source of ids Gemini does not send (response ids, function call ids); injectable for tests. */
  createId?: IdGenerator;
}

export function createGeminiChat(
  settings: ProviderSettings,
  chatOptions: GeminiChatOptions = {},
): ChatCapability {
  const provider = settings.id;
  const createId = chatOptions.createId ?? randomId;

  const post = (model: string, stream: boolean, body: unknown, options: CallOptions) =>
    sendGemini(settings, { method: 'POST', ...methodPath(model, stream), body }, options);

  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    protocol: 'gemini',

    async generate(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
      const { body, warnings } = toGeminiRequest(request);
      const response = await post(request.model, false, body, options);
      const answer = await readJson<GeminiGenerateContentResponse>(provider, response, options.signal);
      const blockReason = answer.promptFeedback?.blockReason;
      if (blockReason && !answer.candidates?.length) {
        throw blockedPromptError(provider, blockReason, JSON.stringify(answer));
      }
      return resultFromResponse(answer, request.model, createId, warnings);
    },

    async stream(request: ChatRequest, options: CallOptions): Promise<AsyncIterable<ChatStreamEvent>> {
      const { body } = toGeminiRequest(request);
      const response = await post(request.model, true, body, options);
      return geminiStreamEvents(response, {
        provider,
        model: request.model,
        signal: options.signal,
        createId,
      });
    },

    async relay(request: RelayRequest, options: CallOptions): Promise<RelayResponse> {
      const response = await post(request.model, request.stream, request.body, options);
      const contentType = response.headers['content-type'];
      return {
        status: response.status,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? 'application/json',
        body: response.body,
      };
    },
  };
}
