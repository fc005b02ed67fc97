/**
 * The Gemini transcription capability: any multimodal Gemini model, given the audio inline and asked to
 * transcribe it verbatim. Inline data is limited to 20 MB per request; longer audio needs the Files API.
 */
import { AtelierError } from '../../errors/index.js';
import type {
  MediaCallOptions,
  TranscriptionCapability,
  TranscriptionRequest,
  TranscriptionResult,
} from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { generateContent, inlinePart, mediaUsageOf, missingMediaError, textOf } from './gemini-media-http.js';

/** Google's limit for a whole request; base64 grows the audio by a third. */
export const MAXIMUM_INLINE_AUDIO_BYTES = Math.floor((20 * 1024 * 1024 * 3) / 4);

export function transcriptionPrompt(request: TranscriptionRequest): string {
  const lines = ['Transcribe this audio verbatim. Reply with the transcript only, no commentary.'];
  if (request.language) lines.push(`The speech is in the language with code "${request.language}".`);
  if (request.prompt) lines.push(`Context (names and terms that may appear): ${request.prompt}`);
  return lines.join('\n');
}

export function createGeminiTranscription(settings: ProviderSettings): TranscriptionCapability {
  return {
    async transcribe(request: TranscriptionRequest, options: MediaCallOptions): Promise<TranscriptionResult> {
      if (request.audio.data.length > MAXIMUM_INLINE_AUDIO_BYTES) {
        throw new AtelierError('Gemini transcribes at most 15 MB of audio sent inline.', {
          status: 413,
          kind: 'payload_too_large',
          code: 'audio_too_large',
          param: 'file',
        });
      }
      const body: Record<string, unknown> = {
        contents: [
          {
            role: 'user',
            parts: [
              { text: transcriptionPrompt(request) },
              inlinePart(request.audio.data, request.audio.mediaType),
            ],
          },
        ],
      };
      if (request.temperature !== undefined) body['generationConfig'] = { temperature: request.temperature };
      const answer = await generateContent(settings, request.model, body, options);
      // Silence transcribes to an empty text; no candidate at all means the answer was withheld.
      if (!answer.candidates?.length) throw missingMediaError(settings.id, answer, 'a transcript');
      const result: TranscriptionResult = { text: textOf(answer).trim() };
      if (request.language) result.language = request.language;
      const usage = mediaUsageOf(answer);
      if (usage) result.usage = usage;
      return result;
    },
  };
}
