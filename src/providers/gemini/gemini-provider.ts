/**
 * createGeminiProvider: the Google Generative Language API (Gemini) as an Atelier provider.
 */
import {
  CHAT_SPECIFICATION_VERSION,
  type CallOptions,
  type Provider,
  type ProviderSettings,
} from '../spec.js';
import { createGeminiChat, type GeminiChatOptions } from './gemini-chat.js';
import { listGeminiModels } from './gemini-models.js';

export function createGeminiProvider(settings: ProviderSettings, options: GeminiChatOptions = {}): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'gemini',
    chat: createGeminiChat(settings, options),
    listModels: (callOptions: CallOptions) => listGeminiModels(settings, callOptions),
  };
}
