/**
 * Helpers shared by Gemini's media capabilities (images, Imagen, Veo, TTS, transcription): model method
 * paths, generateContent, and readers for the answers that carry media instead of text.
 *
 * It lives beside the image capability, its first user.
 */
import { providerErrorFromStatus, type ProviderError } from '../../errors/index.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { usageFromMetadata } from '../../protocols/gemini/usage.js';
import type { GeminiGenerateContentResponse, GeminiPart } from '../../protocols/gemini/wire-types.js';
import type { MediaUsage } from '../media-spec.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { blockedPromptError } from './gemini-errors.js';
import { API_VERSION, callGemini, resourceName } from './gemini-http.js';

/** `/v1beta/models/{model}:{method}` (predict, predictLongRunning, generateContent). */
export function modelMethodPath(model: string, method: string): string {
  return `/${API_VERSION}/${resourceName(model)}:${method}`;
}

export function generateContent(
  settings: ProviderSettings,
  model: string,
  body: unknown,
  options: CallOptions,
): Promise<GeminiGenerateContentResponse> {
  return callGemini(
    settings,
    { method: 'POST', path: modelMethodPath(model, 'generateContent'), body },
    options,
  );
}

export function inlinePart(data: Buffer, mediaType: string): GeminiPart {
  return { inlineData: { mimeType: mediaType, data: data.toString('base64') } };
}

/** The inline media parts of an answer's candidates, whatever their order among text parts. */
export function inlineDataOf(
  answer: GeminiGenerateContentResponse,
): Array<{ mimeType: string; data: Buffer }> {
  return (answer.candidates ?? []).flatMap((candidate) =>
    (candidate.content?.parts ?? []).flatMap((part) =>
      part.inlineData?.data
        ? [{ mimeType: part.inlineData.mimeType, data: Buffer.from(part.inlineData.data, 'base64') }]
        : [],
    ),
  );
}

export function textOf(answer: GeminiGenerateContentResponse): string {
  return (answer.candidates?.[0]?.content?.parts ?? [])
    .flatMap((part) => (typeof part.text === 'string' && !part.thought ? [part.text] : []))
    .join('');
}

export function mediaUsageOf(answer: GeminiGenerateContentResponse): MediaUsage | undefined {
  if (!answer.usageMetadata) return undefined;
  const usage = usageFromMetadata(answer.usageMetadata);
  return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
}

const SAFETY_FINISH_REASONS = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
]);

/**
 * An answer without the media asked for: a blocked prompt or a safety stop is the client's content problem;
 * anything else means the upstream misbehaved.
 */
export function missingMediaError(
  provider: string,
  answer: GeminiGenerateContentResponse,
  what: string,
): ProviderError {
  const body = JSON.stringify(answer).slice(0, 2000);
  const blockReason = answer.promptFeedback?.blockReason;
  if (blockReason) return blockedPromptError(provider, blockReason, body);
  const finishReason = answer.candidates?.[0]?.finishReason;
  if (finishReason && SAFETY_FINISH_REASONS.has(finishReason)) {
    return contentPolicyError(provider, `Gemini withheld the ${what} (${finishReason}).`, finishReason, body);
  }
  return invalidResponseError(provider, what, body);
}

export function contentPolicyError(
  provider: string,
  message: string,
  code: string,
  body: string,
): ProviderError {
  return providerErrorFromStatus({
    provider,
    status: 400,
    message,
    hint: 'content_policy',
    code,
    upstreamBody: body,
  });
}
