/**
 * The OpenAI provider: Chat Completions at `${baseURL}/chat/completions` (baseURL includes /v1), also
 * fit for OpenAI-compatible servers.
 */
import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import { createOpenAIChat } from './openai-chat.js';
import { listOpenAIModels } from './openai-models.js';

export function createOpenAIProvider(settings: ProviderSettings): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'openai',
    chat: createOpenAIChat(settings),
    listModels: (options) => listOpenAIModels(settings, options),
  };
}
