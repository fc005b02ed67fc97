/**
 * OpenAI Images API answer `{created, data:[{b64_json, revised_prompt}], output_format, usage}` →
 * canonical ImageResult.
 */
import type { GeneratedImage, ImageResult, MediaUsage } from '../media-spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { asRecord } from './openai-chat-response.js';
import { imageMediaType } from './openai-image-request.js';

export function imageResultFromWire(
  provider: string,
  body: unknown,
  requestedFormat: string | undefined,
  warnings: string[],
): ImageResult {
  const answer = asRecord(body);
  const entries = Array.isArray(answer?.['data']) ? answer['data'] : [];
  // gpt-image reports the format it produced; DALL·E produces PNG and says nothing.
  const format = typeof answer?.['output_format'] === 'string' ? answer['output_format'] : requestedFormat;
  const images: GeneratedImage[] = [];
  for (const entry of entries) {
    const fields = asRecord(entry);
    const encoded = fields?.['b64_json'];
    if (typeof encoded !== 'string' || encoded === '') continue;
    const image: GeneratedImage = { data: Buffer.from(encoded, 'base64'), mediaType: imageMediaType(format) };
    if (typeof fields?.['revised_prompt'] === 'string') image.revisedPrompt = fields['revised_prompt'];
    images.push(image);
  }
  if (images.length === 0) {
    throw invalidResponseError(provider, 'image data', body);
  }
  const result: ImageResult = { images };
  const usage = usageFromWire(answer?.['usage']);
  if (usage) result.usage = usage;
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function usageFromWire(value: unknown): MediaUsage | undefined {
  const usage = asRecord(value);
  if (!usage) return undefined;
  const result: MediaUsage = {};
  if (typeof usage['input_tokens'] === 'number') result.inputTokens = usage['input_tokens'];
  if (typeof usage['output_tokens'] === 'number') result.outputTokens = usage['output_tokens'];
  return Object.keys(result).length > 0 ? result : undefined;
}
