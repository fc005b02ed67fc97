/**
 * Canonical ChatRequest → generateContent body. Read the tables first: they are the mapping.
 */
import { responseFromToolResult } from '../../protocols/gemini/function-response.js';
import type {
  GeminiContent,
  GeminiFunctionCallingMode,
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
} from '../../protocols/gemini/wire-types.js';
import type { ChatMessage, ChatRequest, ImageSource, ToolChoice } from '../spec.js';

/** ChatRequest field → generationConfig field, copied unchanged. */
const GENERATION_SETTINGS = {
  temperature: 'temperature',
  topP: 'topP',
  topK: 'topK',
  maxOutputTokens: 'maxOutputTokens',
  stopSequences: 'stopSequences',
  seed: 'seed',
  presencePenalty: 'presencePenalty',
  frequencyPenalty: 'frequencyPenalty',
} as const satisfies Partial<Record<keyof ChatRequest, keyof GeminiGenerationConfig>>;

/** Canonical tool choice → functionCallingConfig.mode ('tool' also names the function). */
const TOOL_CHOICE_MODES: Record<ToolChoice['type'], GeminiFunctionCallingMode> = {
  auto: 'AUTO',
  none: 'NONE',
  required: 'ANY',
  tool: 'ANY',
};

/** Canonical role → Gemini role; tool results travel in a user turn as functionResponse parts. */
const ROLES: Record<ChatMessage['role'], 'user' | 'model'> = {
  user: 'user',
  assistant: 'model',
  tool: 'user',
};

/** Gemini accepts at most this many stop sequences. */
const MAXIMUM_STOP_SEQUENCES = 5;

/** Image URLs go as fileData, which needs a mime type; the extension is the only hint we have. */
const IMAGE_TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
};

/**
 * Gemini 3 rejects replayed function calls without the thought signature it issued; a conversation that
 * passed through another protocol has lost it. Google documents this value for exactly that case.
 */
export const SKIP_SIGNATURE_VALIDATION = 'skip_thought_signature_validator';

export interface GeminiRequestMapping {
  body: GeminiGenerateContentRequest;
  warnings: string[];
}

export function guessImageType(url: string): string {
  let pathname = url;
  try {
    pathname = new URL(url).pathname;
  } catch {
    // not a URL we can parse: use it as a path
  }
  const extension = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  return (extension && IMAGE_TYPES_BY_EXTENSION[extension]) || 'image/jpeg';
}

function imagePart(source: ImageSource): GeminiPart {
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1]!, data: dataUrl[2]! } };
  return { fileData: { mimeType: guessImageType(source.url), fileUri: source.url } };
}

function requiresSignatures(model: string): boolean {
  const major = /^(?:models\/)?gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function messageParts(
  message: ChatMessage,
  toolNames: Map<string, string>,
  signCalls: boolean,
): GeminiPart[] {
  switch (message.role) {
    case 'user':
      return message.content.map((part) =>
        part.type === 'text' ? { text: part.text } : imagePart(part.source),
      );
    case 'assistant': {
      const parts: GeminiPart[] = [];
      let signed = false;
      for (const part of message.content) {
        // Reasoning text from another turn is not input Gemini can use, and foreign signatures would fail.
        if (part.type === 'reasoning') continue;
        if (part.type === 'text') {
          parts.push({ text: part.text });
          continue;
        }
        toolNames.set(part.id, part.name);
        const call: GeminiPart = {
          functionCall: { id: part.id, name: part.name, args: argumentsOf(part.arguments) },
        };
        // Only the first call of a turn carries a signature, as Gemini itself issues them.
        if (signCalls && !signed) call.thoughtSignature = SKIP_SIGNATURE_VALIDATION;
        signed = true;
        parts.push(call);
      }
      return parts;
    }
    case 'tool':
      return message.content.map((result) => ({
        functionResponse: {
          id: result.toolCallId,
          name: result.toolName || toolNames.get(result.toolCallId) || 'unknown',
          response: responseFromToolResult(result.content, result.isError),
        },
      }));
  }
}

function argumentsOf(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: Gemini needs an object
  }
  return {};
}

function contentsOf(request: ChatRequest): GeminiContent[] {
  const toolNames = new Map<string, string>();
  const signCalls = requiresSignatures(request.model);
  const contents: GeminiContent[] = [];
  for (const message of request.messages) {
    const parts = messageParts(message, toolNames, signCalls);
    if (parts.length === 0) continue;
    const role = ROLES[message.role];
    const previous = contents.at(-1);
    // Gemini expects turns to alternate; a tool result followed by user text is one user turn.
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  }
  return contents;
}

function generationConfigOf(request: ChatRequest, warnings: string[]): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  const target = config as Record<string, unknown>;
  for (const [from, to] of Object.entries(GENERATION_SETTINGS)) {
    const value = request[from as keyof typeof GENERATION_SETTINGS];
    if (value !== undefined) target[to] = value;
  }
  if (config.stopSequences && config.stopSequences.length > MAXIMUM_STOP_SEQUENCES) {
    warnings.push(`Gemini accepts at most ${MAXIMUM_STOP_SEQUENCES} stop sequences; the rest were dropped.`);
    config.stopSequences = config.stopSequences.slice(0, MAXIMUM_STOP_SEQUENCES);
  }
  if (request.responseFormat?.type === 'json') {
    config.responseMimeType = 'application/json';
    if (request.responseFormat.schema) config.responseJsonSchema = request.responseFormat.schema;
  }
  if (request.candidateCount !== undefined && request.candidateCount > 1) {
    warnings.push(
      'candidateCount > 1 is not supported through the canonical model; one candidate was generated.',
    );
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

export function toGeminiRequest(request: ChatRequest): GeminiRequestMapping {
  const warnings: string[] = [];
  const body: GeminiGenerateContentRequest = { contents: contentsOf(request) };
  if (request.system) body.systemInstruction = { parts: [{ text: request.system }] };
  if (request.tools && request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parametersJsonSchema: tool.parameters,
        })),
      },
    ];
    if (request.toolChoice) {
      const mode = TOOL_CHOICE_MODES[request.toolChoice.type];
      body.toolConfig = {
        functionCallingConfig:
          request.toolChoice.type === 'tool'
            ? { mode, allowedFunctionNames: [request.toolChoice.name] }
            : { mode },
      };
    }
    if (request.parallelToolCalls === false) {
      warnings.push('Gemini cannot disable parallel function calls; parallelToolCalls=false was ignored.');
    }
  }
  const generationConfig = generationConfigOf(request, warnings);
  if (generationConfig) body.generationConfig = generationConfig;
  return { body, warnings };
}
