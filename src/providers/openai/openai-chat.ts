/**
 * The OpenAI Chat Completions capability: translated calls (generate, stream) and same-protocol relay.
 */
import { readJson, type UpstreamResponse } from '../http/upstream-client.js';
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
import { chatRequestToWire } from './openai-chat-request.js';
import { chatResultFromWire } from './openai-chat-response.js';
import { chatEventsFromWire } from './openai-chat-stream.js';
import { callOpenAI } from './openai-http.js';

const chatPath = '/chat/completions';

export function createOpenAIChat(settings: ProviderSettings): ChatCapability {
  const provider = settings.id;

  const post = (body: unknown, options: CallOptions, accept: string): Promise<UpstreamResponse> =>
    callOpenAI(settings, { method: 'POST', path: chatPath, headers: { accept }, body }, options);

  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    protocol: 'openai',

    async generate(request: ChatRequest, options: CallOptions): Promise<ChatResult> {
      const { body, warnings } = chatRequestToWire({ ...request, stream: false });
      const response = await post(body, options, 'application/json');
      const json = await readJson<unknown>(provider, response, options.signal);
      return chatResultFromWire(provider, json, warnings);
    },

    async stream(request: ChatRequest, options: CallOptions): Promise<AsyncIterable<ChatStreamEvent>> {
      const { body } = chatRequestToWire({ ...request, stream: true });
      const response = await post(body, options, 'text/event-stream');
      return chatEventsFromWire(provider, response.body, options.signal);
    },

    async relay(request: RelayRequest, options: CallOptions): Promise<RelayResponse> {
      const response = await post(
        request.body,
        options,
        request.stream ? 'text/event-stream' : 'application/json',
      );
      const contentType = response.headers['content-type'];
      return {
        status: response.status,
        contentType:
          (Array.isArray(contentType) ? contentType[0] : contentType) ??
          (request.stream ? 'text/event-stream' : 'application/json'),
        body: response.body,
      };
    },
  };
}
