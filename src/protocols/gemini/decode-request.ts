/**
 * generateContent body (+ model from the path, streaming from the method) → canonical ChatRequest.
 */
import type * as z from 'zod';
import { AtelierError, InvalidRequestError } from '../../errors/index.js';
import type {
  AssistantContentPart,
  ChatMessage,
  ChatRequest,
  ResponseFormat,
  ToolResultPart,
  UserContentPart,
} from '../../providers/spec.js';
import type { DecodeContext } from '../client-protocol.js';
import { camelCaseKeys } from './camel-case-keys.js';
import { toolResultFromResponse } from './function-response.js';
import {
  fieldError,
  generateContentRequestSchema,
  type GenerateContentRequestBody,
  type RequestContent,
  type RequestPart,
} from './request-schema.js';
import { openApiToJsonSchema } from './schema-normalize.js';
import { decodeTools } from './decode-tools.js';

/** `contents.0.parts.1` → `contents[0].parts[1]` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function firstIssue(error: z.ZodError): InvalidRequestError {
  const issue = error.issues[0];
  const path = issue ? formatPath(issue.path) : '';
  const message = issue?.message ?? 'Invalid request body.';
  return new InvalidRequestError(path ? `${path}: ${message}` : message, path || undefined);
}

export function decodeGeminiRequest(body: unknown, context: DecodeContext): ChatRequest {
  try {
    return decode(body, context);
  } catch (error) {
    if (error instanceof AtelierError) throw error;
    // Whatever a hostile body provokes (deep nesting, odd values) is still the client's 400.
    throw new InvalidRequestError('The request body could not be read as a generateContent request.');
  }
}

function decode(body: unknown, context: DecodeContext): ChatRequest {
  const model = context.model?.replace(/^models\//, '');
  if (!model) {
    throw new InvalidRequestError(
      'The model is required in the path: models/{model}:generateContent.',
      'model',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object (a GenerateContentRequest).');
  }
  const parsed = generateContentRequestSchema.safeParse(camelCaseKeys(body));
  if (!parsed.success) throw firstIssue(parsed.error);
  const request = parsed.data;

  const chat: ChatRequest = {
    model,
    messages: decodeContents(request.contents),
    stream: context.stream ?? false,
  };
  const system = decodeSystem(request.systemInstruction);
  if (system !== undefined) chat.system = system;
  const { tools, toolChoice } = decodeTools(request);
  if (tools.length > 0) chat.tools = tools;
  if (toolChoice) chat.toolChoice = toolChoice;
  applyGenerationConfig(chat, request.generationConfig);
  return chat;
}

function decodeSystem(system: GenerateContentRequestBody['systemInstruction']): string | undefined {
  if (!system) return undefined;
  const texts = system.parts.map((part, index) => {
    if (typeof part.text !== 'string') {
      throw new InvalidRequestError(
        `systemInstruction.parts[${index}]: only text parts are supported in a system instruction.`,
        `systemInstruction.parts[${index}]`,
      );
    }
    return part.text;
  });
  const joined = texts.join('\n');
  return joined === '' ? undefined : joined;
}

// ---------------------------------------------------------------------------------------------------
// Contents
// ---------------------------------------------------------------------------------------------------

/** Tool-call ids: Gemini often omits them, so calls get `call_<n>` and results are matched by name. */
class CallLedger {
  private generated = 0;
  private readonly open: Array<{ id: string; name: string }> = [];

  callId(id: string | null | undefined, name: string): string {
    const callId = id || this.nextId();
    this.open.push({ id: callId, name });
    return callId;
  }

  resultId(id: string | null | undefined, name: string): string {
    const index = id
      ? this.open.findIndex((call) => call.id === id)
      : this.open.findIndex((call) => call.name === name);
    if (index !== -1) return this.open.splice(index, 1)[0]!.id;
    return id || this.nextId();
  }

  private nextId(): string {
    return `call_${this.generated++}`;
  }
}

function decodeContents(contents: RequestContent[]): ChatMessage[] {
  const ledger = new CallLedger();
  const messages: ChatMessage[] = [];
  contents.forEach((content, contentIndex) => {
    const path = `contents[${contentIndex}]`;
    if (content.parts.length === 0) throw fieldError(`${path}.parts`, 'contents.parts must not be empty.');
    if (content.role === 'model') {
      const parts = content.parts.flatMap((part, index) =>
        modelPart(part, `${path}.parts[${index}]`, ledger),
      );
      if (parts.length > 0) messages.push({ role: 'assistant', content: parts });
      return;
    }
    const results: ToolResultPart[] = [];
    const userParts: UserContentPart[] = [];
    content.parts.forEach((part, index) => {
      const partPath = `${path}.parts[${index}]`;
      if (part.functionResponse) {
        const { name, id, response } = part.functionResponse;
        const { content: text, isError } = toolResultFromResponse(response);
        const result: ToolResultPart = {
          type: 'tool-result',
          toolCallId: ledger.resultId(id, name),
          toolName: name,
          content: text,
        };
        if (isError) result.isError = true;
        results.push(result);
        return;
      }
      userParts.push(...userPart(part, partPath));
    });
    // Function responses answer the previous model turn, so they come before any text of the same turn.
    if (results.length > 0) messages.push({ role: 'tool', content: results });
    if (userParts.length > 0) messages.push({ role: 'user', content: userParts });
  });
  return messages;
}

function isImageMime(mimeType: string | null | undefined): boolean {
  return (
    mimeType === undefined ||
    mimeType === null ||
    mimeType === '' ||
    mimeType.toLowerCase().startsWith('image/')
  );
}

function userPart(part: RequestPart, path: string): UserContentPart[] {
  if (part.functionCall)
    throw fieldError(`${path}.functionCall`, 'a functionCall part belongs in a model turn.');
  if (typeof part.text === 'string') {
    // Thought summaries replayed in a user turn carry nothing the next model can use.
    return part.thought || part.text === '' ? [] : [{ type: 'text', text: part.text }];
  }
  if (part.inlineData) {
    if (!part.inlineData.mimeType.toLowerCase().startsWith('image/')) {
      throw fieldError(
        `${path}.inlineData.mimeType`,
        `inline data of type '${part.inlineData.mimeType}' is not supported; only images can be sent.`,
      );
    }
    return [
      {
        type: 'image',
        source: { kind: 'base64', mediaType: part.inlineData.mimeType, data: part.inlineData.data },
      },
    ];
  }
  if (part.fileData) {
    if (!isImageMime(part.fileData.mimeType)) {
      throw fieldError(
        `${path}.fileData.mimeType`,
        `file data of type '${part.fileData.mimeType}' is not supported; only images can be sent.`,
      );
    }
    return [{ type: 'image', source: { kind: 'url', url: part.fileData.fileUri } }];
  }
  if (part.thoughtSignature) return [];
  throw fieldError(path, 'unsupported part: expected text, inlineData, fileData or functionResponse.');
}

function modelPart(part: RequestPart, path: string, ledger: CallLedger): AssistantContentPart[] {
  if (part.functionCall) {
    const { id, name, args } = part.functionCall;
    return [{ type: 'tool-call', id: ledger.callId(id, name), name, arguments: JSON.stringify(args ?? {}) }];
  }
  if (typeof part.text === 'string') {
    if (part.thought) {
      const reasoning: AssistantContentPart = { type: 'reasoning', text: part.text };
      if (part.thoughtSignature) reasoning.signature = part.thoughtSignature;
      return [reasoning];
    }
    return part.text === '' ? [] : [{ type: 'text', text: part.text }];
  }
  if (part.functionResponse) {
    throw fieldError(`${path}.functionResponse`, 'a functionResponse part belongs in a user turn.');
  }
  if (part.inlineData || part.fileData) {
    throw fieldError(path, 'media in a model turn is not supported.');
  }
  if (part.thoughtSignature) return [];
  throw fieldError(path, 'unsupported part: expected text or functionCall.');
}

// ---------------------------------------------------------------------------------------------------
// Generation config
// ---------------------------------------------------------------------------------------------------

/** generationConfig field → ChatRequest field, for the ones that copy across unchanged. */
const COPIED_SETTINGS = {
  temperature: 'temperature',
  topP: 'topP',
  topK: 'topK',
  maxOutputTokens: 'maxOutputTokens',
  stopSequences: 'stopSequences',
  candidateCount: 'candidateCount',
  seed: 'seed',
  presencePenalty: 'presencePenalty',
  frequencyPenalty: 'frequencyPenalty',
} as const satisfies Record<string, keyof ChatRequest>;

function applyGenerationConfig(
  chat: ChatRequest,
  config: GenerateContentRequestBody['generationConfig'],
): void {
  if (!config) return;
  const target = chat as unknown as Record<string, unknown>;
  for (const [from, to] of Object.entries(COPIED_SETTINGS)) {
    const value = config[from as keyof typeof COPIED_SETTINGS];
    if (value !== undefined && value !== null) target[to] = value;
  }
  const format = decodeResponseFormat(config);
  if (format) chat.responseFormat = format;
}

function decodeResponseFormat(config: NonNullable<GenerateContentRequestBody['generationConfig']>) {
  const mimeType = config.responseMimeType?.toLowerCase();
  if (mimeType === 'text/plain') return { type: 'text' } satisfies ResponseFormat;
  if (mimeType !== 'application/json') return undefined;
  const format: ResponseFormat = { type: 'json' };
  if (config.responseJsonSchema) format.schema = config.responseJsonSchema;
  else if (config.responseSchema) format.schema = openApiToJsonSchema(config.responseSchema);
  return format;
}
