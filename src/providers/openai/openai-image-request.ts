/**
 * Canonical ImageRequest → OpenAI Images API fields, for the JSON body of /images/generations and the
 * multipart form of /images/edits alike. The table says which model family takes which field; a setting
 * a family lacks becomes a warning, never a request the upstream would refuse.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import type { ImageRequest, Size } from '../media-spec.js';

/** gpt-image-* (and unknown models on compatible servers) return base64 always; DALL·E defaults to URLs. */
export type ImageModelFamily = 'gpt-image' | 'dall-e-2' | 'dall-e-3';

export function imageModelFamily(model: string): ImageModelFamily {
  if (model.startsWith('dall-e-2')) return 'dall-e-2';
  if (model.startsWith('dall-e-3')) return 'dall-e-3';
  return 'gpt-image';
}

type ScalarKey =
  'count' | 'size' | 'quality' | 'style' | 'background' | 'outputFormat' | 'negativePrompt' | 'seed';

interface FieldMapping {
  /** The wire field; absent when OpenAI has no equivalent. */
  wire?: string;
  /** Families that accept it; all when absent. */
  families?: ImageModelFamily[];
  convert?: (value: NonNullable<ImageRequest[ScalarKey]>) => string | number;
}

export const imageFieldTable: Record<ScalarKey, FieldMapping> = {
  count: { wire: 'n' },
  size: { wire: 'size', convert: (size) => sizeText(size as Size) },
  quality: { wire: 'quality' },
  style: { wire: 'style', families: ['dall-e-3'] },
  background: { wire: 'background', families: ['gpt-image'] },
  outputFormat: { wire: 'output_format', families: ['gpt-image'] },
  negativePrompt: {},
  seed: {},
};

/** providerOptions.openai: knobs only OpenAI has, passed through as they are. */
const openAIImageOptions = z
  .object({
    moderation: z.enum(['auto', 'low']).optional(),
    output_compression: z.number().int().min(0).max(100).optional(),
    input_fidelity: z.enum(['high', 'low']).optional(),
    user: z.string().optional(),
  })
  .strict();

export interface ImageWireFields {
  fields: Record<string, string | number>;
  warnings: string[];
}

export function imageRequestToWire(request: ImageRequest): ImageWireFields {
  const family = imageModelFamily(request.model);
  const warnings: string[] = [];
  const fields: Record<string, string | number> = { model: request.model, prompt: request.prompt };
  for (const [key, mapping] of Object.entries(imageFieldTable) as Array<[ScalarKey, FieldMapping]>) {
    const value = request[key];
    if (value === undefined) continue;
    if (!mapping.wire || (mapping.families && !mapping.families.includes(family))) {
      warnings.push(`${key} is not supported by OpenAI ${family} models and was ignored.`);
      continue;
    }
    fields[mapping.wire] = mapping.convert ? mapping.convert(value) : (value as string | number);
  }
  // DALL·E answers with short-lived URLs unless asked for the bytes; gpt-image refuses the parameter.
  if (family !== 'gpt-image') fields['response_format'] = 'b64_json';
  Object.assign(fields, vendorOptions(request));
  return { fields, warnings };
}

function vendorOptions(request: ImageRequest): Record<string, string | number> {
  const parsed = openAIImageOptions.safeParse(request.providerOptions?.['openai'] ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['providerOptions', 'openai', ...(issue?.path ?? [])].join('.');
    throw new InvalidRequestError(`${path}: ${issue?.message ?? 'invalid value'}`, path);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)) as Record<
    string,
    string | number
  >;
}

export function sizeText(size: Size): string {
  return `${size.width}x${size.height}`;
}

/** The media type of the images a request will produce. */
export function imageMediaType(format: string | undefined): string {
  return format === 'jpeg' ? 'image/jpeg' : format === 'webp' ? 'image/webp' : 'image/png';
}
