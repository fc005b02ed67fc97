/**
 * The OpenAI provider: Chat Completions at `${baseURL}/chat/completions` (baseURL includes /v1), also
 * fit for OpenAI-compatible servers; images, video (Sora), speech and transcription beside it.
 */
import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import { createOpenAIChat } from './openai-chat.js';
import { createOpenAIImage } from './openai-image.js';
import { listOpenAIModels } from './openai-models.js';
import { createOpenAISpeech } from './openai-speech.js';
import { createOpenAITranscription } from './openai-transcription.js';
import { createOpenAIVideo } from './openai-video.js';

export function createOpenAIProvider(settings: ProviderSettings): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'openai',
    chat: createOpenAIChat(settings),
    image: createOpenAIImage(settings),
    video: createOpenAIVideo(settings),
    speech: createOpenAISpeech(settings),
    transcription: createOpenAITranscription(settings),
    listModels: (options) => listOpenAIModels(settings, options),
  };
}
