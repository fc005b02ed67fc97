import { createAnthropicProvider } from '../providers/anthropic/index.js';
import { createComfyUIProvider } from '../providers/comfyui/index.js';
import { createDraftProvider } from '../providers/draft/index.js';
import { createGeminiProvider } from '../providers/gemini/index.js';
import { createOllamaProvider } from '../providers/ollama/index.js';
import { createOpenAIProvider } from '../providers/openai/index.js';
import type { Provider, ProviderSettings, ProviderType } from '../providers/spec.js';

const factories: Record<ProviderType, (settings: ProviderSettings) => Provider> = {
  openai: createOpenAIProvider,
  anthropic: createAnthropicProvider,
  gemini: createGeminiProvider,
  ollama: createOllamaProvider,
  comfyui: (settings) => createComfyUIProvider(settings),
  draft: (settings) => createDraftProvider(settings),
};

/** The adapter for a provider type. */
export function createProviderAdapter(type: ProviderType, settings: ProviderSettings): Provider {
  return factories[type](settings);
}
