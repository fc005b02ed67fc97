/**
 * The OpenAI speech capability: POST /audio/speech answers with the audio bytes themselves.
 */
import { speechMediaTypes } from '../audio/speech-media-types.js';
import type { MediaCallOptions, SpeechCapability, SpeechRequest, SpeechResult } from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { callOpenAI } from './openai-http.js';
import { contentTypeOf, readBytes } from './openai-media-http.js';

/** Only the gpt-4o TTS models follow style instructions; tts-1 and tts-1-hd refuse them. */
const takesInstructions = (model: string) => !model.startsWith('tts-1');

export function createOpenAISpeech(settings: ProviderSettings): SpeechCapability {
  return {
    formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],

    async synthesize(request: SpeechRequest, options: MediaCallOptions): Promise<SpeechResult> {
      const warnings: string[] = [];
      const body: Record<string, unknown> = {
        model: request.model,
        input: request.input,
        voice: request.voice,
        response_format: request.format,
      };
      if (request.speed !== undefined) body['speed'] = request.speed;
      if (request.instructions !== undefined) {
        if (takesInstructions(request.model)) body['instructions'] = request.instructions;
        else warnings.push(`${request.model} does not take instructions; they were ignored.`);
      }
      const response = await callOpenAI(settings, { method: 'POST', path: '/audio/speech', body }, options);
      const audio = await readBytes(settings.id, response, options.signal);
      const labelled = contentTypeOf(response);
      const result: SpeechResult = {
        audio,
        // Some compatible servers label every answer application/octet-stream; the format is surer.
        mediaType: labelled?.startsWith('audio/') ? labelled : speechMediaTypes[request.format],
      };
      if (warnings.length > 0) result.warnings = warnings;
      return result;
    },
  };
}
