/**
 * zod schema of a generateContent / streamGenerateContent request body (lowerCamel spelling). Unknown
 * fields pass (the API grows faster than gateways); wrong types fail with the field path. Optional fields
 * accept null as absent, since several SDKs serialise unset fields that way.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

const freeFormObject = z.record(z.string(), z.unknown());

export const partSchema = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).nullish(),
  fileData: z.looseObject({ mimeType: z.string().nullish(), fileUri: z.string() }).nullish(),
  functionCall: z
    .looseObject({ id: z.string().nullish(), name: z.string(), args: freeFormObject.nullish() })
    .nullish(),
  functionResponse: z
    .looseObject({ id: z.string().nullish(), name: z.string(), response: freeFormObject.nullish() })
    .nullish(),
});

/** 'function' is the role older v1beta samples used for function responses; it reads as a user turn. */
export const contentSchema = z.looseObject({
  role: z.enum(['user', 'model', 'function']).nullish(),
  parts: z.array(partSchema),
});

const functionDeclarationSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: freeFormObject.nullish(),
  parametersJsonSchema: freeFormObject.nullish(),
});

export const toolSchema = z.looseObject({
  functionDeclarations: z.array(functionDeclarationSchema).nullish(),
});

const toolConfigSchema = z.looseObject({
  functionCallingConfig: z
    .looseObject({
      mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).nullish(),
      allowedFunctionNames: z.array(z.string()).nullish(),
    })
    .nullish(),
});

const generationConfigSchema = z.looseObject({
  temperature: z.number().nullish(),
  topP: z.number().nullish(),
  topK: z.number().int().nullish(),
  maxOutputTokens: z.number().int().positive().nullish(),
  stopSequences: z.array(z.string()).nullish(),
  candidateCount: z.number().int().positive().nullish(),
  seed: z.number().int().nullish(),
  presencePenalty: z.number().nullish(),
  frequencyPenalty: z.number().nullish(),
  responseMimeType: z.string().nullish(),
  responseSchema: freeFormObject.nullish(),
  responseJsonSchema: freeFormObject.nullish(),
});

export const generateContentRequestSchema = z.looseObject({
  contents: z.array(contentSchema).min(1),
  systemInstruction: contentSchema.extend({ role: z.string().nullish() }).nullish(),
  tools: z.array(toolSchema).nullish(),
  toolConfig: toolConfigSchema.nullish(),
  generationConfig: generationConfigSchema.nullish(),
  // Accepted and ignored: every provider applies its own safety policy.
  safetySettings: z.array(z.unknown()).nullish(),
});

export type GenerateContentRequestBody = z.infer<typeof generateContentRequestSchema>;
export type RequestPart = z.infer<typeof partSchema>;
export type RequestContent = z.infer<typeof contentSchema>;

/** A 400 naming the offending field, e.g. `contents[2].parts[0].inlineData.mimeType`. */
export function fieldError(path: string, what: string): InvalidRequestError {
  return new InvalidRequestError(`${path}: ${what}`, path);
}
