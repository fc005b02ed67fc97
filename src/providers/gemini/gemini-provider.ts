/**
 * createGeminiProvider: the Google Generative Language API (Gemini) as an Atelier provider: chat, images
 * (Imagen and Gemini image models), video (Veo), speech (Gemini TTS) and transcription.
 */
import {
  CHAT_SPECIFICATION_VERSION,
  type CallOptions,
  type Provider,
  type ProviderSettings,
} from '../spec.js';
import { createGeminiChat, type GeminiChatOptions } from './gemini-chat.js';
import { createGeminiImage } from './gemini-image.js';
import { listGeminiModels } from './gemini-models.js';
import { createGeminiSpeech } from './gemini-speech.js';
import { createGeminiTranscription } from './gemini-transcription.js';
import { createGeminiVideo } from './gemini-video.js';

export function createGeminiProvider(settings: ProviderSettings, options: GeminiChatOptions = {}): Provider {
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'gemini',
    chat: createGeminiChat(settings, options),
    image: createGeminiImage(settings),
    video: createGeminiVideo(settings),
    speech: createGeminiSpeech(settings),
    transcription: createGeminiTranscription(settings),
    listModels: (callOptions: CallOptions) => listGeminiModels(settings, callOptions),
  };
}
