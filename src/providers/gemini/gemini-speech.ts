/**
 * The Gemini speech capability (TTS models such as gemini-2.5-flash-preview-tts): generateContent with
 * responseModalities AUDIO and a prebuilt voice. Gemini answers raw 24 kHz PCM (`audio/L16;codec=pcm;
 * rate=24000`); `wav` wraps it in a RIFF header, `pcm` hands it on as it came.
 */
import { InvalidRequestError } from '../../errors/index.js';
import { pcmLayoutFromMediaType } from '../audio/pcm-media-type.js';
import { pcmToWav } from '../audio/pcm-to-wav.js';
import { speechMediaTypes } from '../audio/speech-media-types.js';
import type {
  MediaCallOptions,
  SpeechCapability,
  SpeechFormat,
  SpeechRequest,
  SpeechResult,
} from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { generateContent, inlineDataOf, missingMediaError } from './gemini-media-http.js';

const FORMATS: readonly SpeechFormat[] = ['wav', 'pcm'];

export function createGeminiSpeech(settings: ProviderSettings): SpeechCapability {
  return {
    formats: FORMATS,

    async synthesize(request: SpeechRequest, options: MediaCallOptions): Promise<SpeechResult> {
      if (!FORMATS.includes(request.format)) {
        throw new InvalidRequestError(`Gemini speech comes as ${FORMATS.join(' or ')}.`, 'response_format');
      }
      const warnings: string[] = [];
      if (request.speed !== undefined)
        warnings.push('speed is not supported by Gemini speech; say it in instructions.');
      // Gemini TTS is steered in the prompt itself: "Say cheerfully: …".
      const text = request.instructions ? `${request.instructions}: ${request.input}` : request.input;
      const body = {
        contents: [{ role: 'user', parts: [{ text }] }],
        generationConfig: {
          responseModalities: ['AUDIO'],
          speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: request.voice } } },
        },
      };
      const answer = await generateContent(settings, request.model, body, options);
      const audio = inlineDataOf(answer).find((part) => part.mimeType.startsWith('audio/'));
      if (!audio) throw missingMediaError(settings.id, answer, 'audio');
      const layout = pcmLayoutFromMediaType(audio.mimeType);
      if (!layout)
        throw invalidResponseError(settings.id, `PCM audio (got ${audio.mimeType})`, audio.mimeType);

      const result: SpeechResult =
        request.format === 'wav'
          ? { audio: pcmToWav(audio.data, layout), mediaType: speechMediaTypes.wav }
          : { audio: audio.data, mediaType: `audio/pcm;rate=${layout.sampleRate}` };
      if (warnings.length > 0) result.warnings = warnings;
      return result;
    },
  };
}
