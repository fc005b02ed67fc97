/**
 * The Anthropic Messages API as a ChatCapability: generate and stream translate through the canonical
 * model (anthropic-chat-request.ts holds the mapping table), relay passes an Anthropic client's body
 * through untouched.
 */
import type { AnthropicMessage } from '../../protocols/anthropic/wire-types.js';
import {
  headerValue,
  readJson,
  sendUpstream,
  upstreamFailure,
  type UpstreamResponse,
} from '../http/upstream-client.js';
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
import { encodeChatRequest } from './anthropic-chat-request.js';
import { decodeChatResponse } from './anthropic-chat-response.js';
import { decodeChatStream } from './anthropic-chat-stream.js';
import { parseAnthropicError } from './anthropic-errors.js';
import { anthropicHeaders } from './anthropic-headers.js';

export const messagesPath = '/v1/messages';

export function createAnthropicChat(settings: ProviderSettings): ChatCapability {
  const post = async (body: unknown, options: CallOptions): Promise<UpstreamResponse> => {
    const response = await sendUpstream(settings, {
      method: 'POST',
      path: messagesPath,
      headers: anthropicHeaders(options.credential, settings.headers),
      body,
      signal: options.signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw await upstreamFailure(settings.id, response, (input) => parseAnthropicError(settings.id, input));
    }
    return response;
  };

  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    protocol: 'anthropic',

    async generate(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
      const { body, warnings } = encodeChatRequest({ ...request, stream: false });
      const response = await post(body, options);
      const message = await readJson<AnthropicMessage>(settings.id, response, options.signal);
      return decodeChatResponse(message, warnings);
    },

    async stream(request: ChatRequest, options: CallOptions): Promise<AsyncIterable<ChatStreamEvent>> {
      const { body } = encodeChatRequest({ ...request, stream: true });
      const response = await post(body, options);
      return decodeChatStream(settings.id, response.body, options.signal);
    },

    async relay(request: RelayRequest, options: CallOptions): Promise<RelayResponse> {
      const response = await post(request.body, options);
      return {
        status: response.status,
        contentType:
          headerValue(response.headers, 'content-type') ??
          (request.stream ? 'text/event-stream' : 'application/json'),
        body: response.body,
      };
    },
  };
}
