import { createAnthropicProvider } from '../providers/anthropic/index.js';
import { createGeminiProvider } from '../providers/gemini/index.js';
import { createOllamaProvider } from '../providers/ollama/index.js';
import { createOpenAIProvider } from '../providers/openai/index.js';
import {
  CHAT_SPECIFICATION_VERSION,
  type Provider,
  type ProviderSettings,
  type ProviderType,
} from '../providers/spec.js';

const factories: Partial<Record<ProviderType, (settings: ProviderSettings) => Provider>> = {
  openai: createOpenAIProvider,
  anthropic: createAnthropicProvider,
  gemini: createGeminiProvider,
  ollama: createOllamaProvider,
};

/** The adapter for a provider type; types without chat (comfyui, draft) get a capability-less adapter. */
export function createProviderAdapter(type: ProviderType, settings: ProviderSettings): Provider {
  const factory = factories[type];
  if (factory) return factory(settings);
  return { specificationVersion: CHAT_SPECIFICATION_VERSION, id: settings.id, type };
}
