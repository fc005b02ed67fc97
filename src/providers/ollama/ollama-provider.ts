import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import { createOllamaChat } from './ollama-chat.js';
import { listOllamaModels } from './ollama-models.js';

/** A local or hosted Ollama (base URL without /api, e.g. http://localhost:11434). */
export function createOllamaProvider(settings: ProviderSettings): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'ollama',
    chat: createOllamaChat(settings),
    listModels: (options) => listOllamaModels(settings, options),
  };
}
