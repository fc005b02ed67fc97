/**
 * The chat capability over Ollama's native /api/chat. Ollama is never a client protocol, so there is
 * no relay: every call is translated through the canonical model.
 */
import { readJson, sendUpstream, upstreamFailure, type UpstreamResponse } from '../http/upstream-client.js';
import {
  CHAT_SPECIFICATION_VERSION,
  type CallOptions,
  type ChatCapability,
  type ChatRequest,
  type ProviderSettings,
} from '../spec.js';
import type { OllamaChatBody } from './ollama-api-types.js';
import { toOllamaChatBody } from './ollama-chat-request.js';
import { toChatResult } from './ollama-chat-response.js';
import { ollamaStreamEvents } from './ollama-chat-stream.js';
import { parseOllamaError } from './ollama-errors.js';
import { ollamaHeaders } from './ollama-headers.js';

export function createOllamaChat(settings: ProviderSettings): ChatCapability {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    protocol: 'ollama',

    async generate(request: ChatRequest, options: CallOptions) {
      const { body, warnings } = toOllamaChatBody(request, false);
      const response = await postChat(settings, body, options);
      const payload = await readJson<unknown>(settings.id, response, options.signal);
      return toChatResult(settings.id, payload, request.model, warnings);
    },

    // Warnings have no stream event in the canonical model, so a stream drops them.
    async stream(request: ChatRequest, options: CallOptions) {
      const { body } = toOllamaChatBody(request, true);
      const response = await postChat(settings, body, options);
      return ollamaStreamEvents({
        provider: settings.id,
        body: response.body,
        requestedModel: request.model,
        signal: options.signal,
      });
    },
  };
}

async function postChat(
  settings: ProviderSettings,
  body: OllamaChatBody,
  options: CallOptions,
): Promise<UpstreamResponse> {
  const response = await sendUpstream(settings, {
    method: 'POST',
    path: '/api/chat',
    headers: ollamaHeaders(options.credential),
    body,
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, parseOllamaError(settings.id));
  }
  return response;
}
