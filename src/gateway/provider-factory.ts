/**
 * The adapter for a provider type. Each vendor's module is imported the first time a provider of its type
 * is built, so a gateway only loads the adapters its configuration and database name.
 */
import type { Provider, ProviderSettings, ProviderType } from '../providers/spec.js';

type ProviderConstructor = (settings: ProviderSettings) => Provider;

const loaders: Record<ProviderType, () => Promise<ProviderConstructor>> = {
  openai: async () => (await import('../providers/openai/index.js')).createOpenAIProvider,
  anthropic: async () => (await import('../providers/anthropic/index.js')).createAnthropicProvider,
  gemini: async () => (await import('../providers/gemini/index.js')).createGeminiProvider,
  ollama: async () => (await import('../providers/ollama/index.js')).createOllamaProvider,
  comfyui: async () => {
    const { createComfyUIProvider } = await import('../providers/comfyui/index.js');
    return (settings) => createComfyUIProvider(settings);
  },
  draft: async () => {
    const { createDraftProvider } = await import('../providers/draft/index.js');
    return (settings) => createDraftProvider(settings);
  },
};

/** The adapter for a provider type, its module imported on first use. */
export async function createProviderAdapter(
  type: ProviderType,
  settings: ProviderSettings,
): Promise<Provider> {
  const construct = await loaders[type]();
  return construct(settings);
}
