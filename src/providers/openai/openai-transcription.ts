/**
 * The OpenAI transcription capability: POST /audio/transcriptions (multipart). whisper-1 can answer
 * verbose_json (language, duration, segments); the gpt-4o transcribe models only json.
 */
import { FormData } from 'undici';
import { readJson } from '../http/upstream-client.js';
import type {
  MediaCallOptions,
  MediaUsage,
  TranscriptionCapability,
  TranscriptionRequest,
  TranscriptionResult,
  TranscriptionSegment,
} from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { asRecord } from './openai-chat-response.js';
import { appendFields } from '../http/multipart-form.js';
import { callOpenAI } from './openai-http.js';
import { appendUpload } from './openai-media-http.js';

const answersVerbose = (model: string) => model.startsWith('whisper');

export function createOpenAITranscription(settings: ProviderSettings): TranscriptionCapability {
  const provider = settings.id;
  return {
    async transcribe(request: TranscriptionRequest, options: MediaCallOptions): Promise<TranscriptionResult> {
      const form = new FormData();
      appendUpload(form, 'file', request.audio, 'audio');
      appendFields(form, {
        model: request.model,
        language: request.language,
        prompt: request.prompt,
        temperature: request.temperature,
        response_format: answersVerbose(request.model) ? 'verbose_json' : 'json',
      });
      const response = await callOpenAI(
        settings,
        { method: 'POST', path: '/audio/transcriptions', body: form },
        options,
      );
      const body = await readJson<unknown>(provider, response, options.signal);
      return transcriptionFromWire(provider, body);
    },
  };
}

function transcriptionFromWire(provider: string, body: unknown): TranscriptionResult {
  const answer = asRecord(body);
  if (typeof answer?.['text'] !== 'string') throw invalidResponseError(provider, 'a transcript', body);
  const result: TranscriptionResult = { text: answer['text'] };
  if (typeof answer['language'] === 'string') result.language = answer['language'];
  if (typeof answer['duration'] === 'number') result.durationSeconds = answer['duration'];
  if (Array.isArray(answer['segments'])) {
    result.segments = answer['segments'].flatMap((entry): TranscriptionSegment[] => {
      const segment = asRecord(entry);
      return segment && typeof segment['start'] === 'number' && typeof segment['end'] === 'number'
        ? [{ start: segment['start'], end: segment['end'], text: String(segment['text'] ?? '') }]
        : [];
    });
  }
  const usage = usageFromWire(answer['usage']);
  if (usage) result.usage = usage;
  return result;
}

/** whisper-1 bills by duration, the gpt-4o models by tokens; both say which in `usage.type`. */
function usageFromWire(value: unknown): MediaUsage | undefined {
  const usage = asRecord(value);
  if (usage?.['type'] === 'duration' && typeof usage['seconds'] === 'number')
    return { seconds: usage['seconds'] };
  if (usage?.['type'] === 'tokens') {
    const result: MediaUsage = {};
    if (typeof usage['input_tokens'] === 'number') result.inputTokens = usage['input_tokens'];
    if (typeof usage['output_tokens'] === 'number') result.outputTokens = usage['output_tokens'];
    return result;
  }
  return undefined;
}
