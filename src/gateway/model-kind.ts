/**
 * Whether a model name on a provider that does both chat and media (OpenAI, Gemini) means images or video,
 * so a chat call to it makes media. Known families are recognised by name; anything else can be declared
 * in the provider's options: `media_models = { "my-flux" = "image" }`.
 */
import type { ProviderEntry } from './provider-registry.js';

export type ModelKind = 'chat' | 'image' | 'video';

const videoPattern = /(^|[/-])(sora|veo|video|kling|wan2|hunyuan-?video|ltx|cogvideo|svd)/i;
const imagePattern = /(^|[/-])(gpt-image|dall-e|imagen|image|flux|sdxl|stable-diffusion|sd3|midjourney)/i;

export function modelKind(provider: ProviderEntry, model: string): ModelKind {
  const declared = (provider.options.media_models as Record<string, unknown> | undefined)?.[model];
  if (declared === 'image' || declared === 'video' || declared === 'chat') return declared;
  if (provider.adapter.video && videoPattern.test(model)) return 'video';
  if (provider.adapter.image && imagePattern.test(model)) return 'image';
  if (provider.adapter.chat) return 'chat';
  return provider.adapter.image ? 'image' : provider.adapter.video ? 'video' : 'chat';
}
