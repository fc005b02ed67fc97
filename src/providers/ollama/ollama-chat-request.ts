/**
 * Canonical ChatRequest → Ollama POST /api/chat body. The tables below are the whole mapping; the
 * functions after them only walk the messages.
 *
 * `think` is deliberately left unset: Ollama then applies each model's own default, and the canonical
 * model has no reasoning switch to translate.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type {
  AssistantContentPart,
  ChatMessage,
  ChatRequest,
  ImageSource,
  UserContentPart,
} from '../spec.js';
import type {
  OllamaChatBody,
  OllamaMessage,
  OllamaOptions,
  OllamaTool,
  OllamaToolCall,
} from './ollama-api-types.js';

/** Canonical sampling settings → keys of Ollama's `options` object. */
const optionNames = {
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  maxOutputTokens: 'num_predict',
  stopSequences: 'stop',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
} as const satisfies { [Key in keyof ChatRequest]?: keyof OllamaOptions };

/** Canonical settings Ollama has no knob for: each becomes a warning, never a failure. */
const unsupportedSettings: ReadonlyArray<{ isSet: (request: ChatRequest) => boolean; warning: string }> = [
  {
    isSet: (request) => request.toolChoice?.type === 'required',
    warning: 'toolChoice "required" is not supported by Ollama; the model decides whether to call a tool.',
  },
  {
    isSet: (request) => request.toolChoice?.type === 'tool',
    warning: 'toolChoice naming one tool is not supported by Ollama; all tools were offered.',
  },
  {
    isSet: (request) => request.parallelToolCalls === false,
    warning: 'parallelToolCalls=false is not supported by Ollama; the model may call several tools at once.',
  },
  {
    isSet: (request) => (request.candidateCount ?? 1) > 1,
    warning: 'candidateCount > 1 is not supported by Ollama; one candidate was generated.',
  },
];

export interface OllamaChatMapping {
  body: OllamaChatBody;
  warnings: string[];
}

export function toOllamaChatBody(request: ChatRequest, stream: boolean): OllamaChatMapping {
  const messages: OllamaMessage[] = [];
  if (request.system !== undefined && request.system !== '') {
    messages.push({ role: 'system', content: request.system });
  }
  request.messages.forEach((message, index) => messages.push(...toOllamaMessages(message, index)));

  const body: OllamaChatBody = { model: request.model, messages, stream };
  // toolChoice "none" is honoured by not offering the tools at all.
  if (request.tools && request.tools.length > 0 && request.toolChoice?.type !== 'none') {
    body.tools = request.tools.map((tool): OllamaTool => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  const options = toOllamaOptions(request);
  if (options) body.options = options;
  const format = toOllamaFormat(request);
  if (format !== undefined) body.format = format;

  const warnings = unsupportedSettings
    .filter((setting) => setting.isSet(request))
    .map((setting) => setting.warning);
  return { body, warnings };
}

function toOllamaOptions(request: ChatRequest): OllamaOptions | undefined {
  const options: Record<string, unknown> = {};
  for (const [canonical, ollama] of Object.entries(optionNames) as [keyof typeof optionNames, string][]) {
    const value = request[canonical];
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    options[ollama] = value;
  }
  return Object.keys(options).length === 0 ? undefined : (options as OllamaOptions);
}

function toOllamaFormat(request: ChatRequest): OllamaChatBody['format'] {
  const format = request.responseFormat;
  if (!format || format.type === 'text') return undefined;
  return format.schema ?? 'json';
}

function toOllamaMessages(message: ChatMessage, index: number): OllamaMessage[] {
  switch (message.role) {
    case 'user':
      return [toUserMessage(message.content, index)];
    case 'assistant':
      return [toAssistantMessage(message.content, index)];
    case 'tool':
      // One canonical tool turn may answer several calls; Ollama wants one message per result.
      return message.content.map((result) => ({
        role: 'tool',
        content: result.content,
        tool_name: result.toolName,
      }));
  }
}

function toUserMessage(parts: UserContentPart[], messageIndex: number): OllamaMessage {
  const texts: string[] = [];
  const images: string[] = [];
  parts.forEach((part, partIndex) => {
    if (part.type === 'text') texts.push(part.text);
    else images.push(toBase64Image(part.source, `messages[${messageIndex}].content[${partIndex}]`));
  });
  const message: OllamaMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) message.images = images;
  return message;
}

const dataUrlPattern = /^data:[^;,]*(?:;[^;,]*)*;base64,(.*)$/s;

/** Ollama only takes raw base64; a data: URL is unwrapped, a remote URL cannot be sent. */
function toBase64Image(source: ImageSource, path: string): string {
  if (source.kind === 'base64') return source.data;
  const dataUrl = dataUrlPattern.exec(source.url);
  if (dataUrl) return dataUrl[1]!;
  throw new InvalidRequestError(
    `${path} is an image given by URL, which Ollama cannot fetch; send the image inline as base64 data instead.`,
    `${path}.source`,
    'image_url_not_supported',
  );
}

function toAssistantMessage(parts: AssistantContentPart[], messageIndex: number): OllamaMessage {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: OllamaToolCall[] = [];
  parts.forEach((part, partIndex) => {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'reasoning') thoughts.push(part.text);
    else
      toolCalls.push({
        function: {
          name: part.name,
          arguments: parseArguments(
            part.arguments,
            `messages[${messageIndex}].content[${partIndex}].arguments`,
          ),
        },
      });
  });
  const message: OllamaMessage = { role: 'assistant', content: texts.join('') };
  if (thoughts.length > 0) message.thinking = thoughts.join('');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** Ollama wants tool-call arguments as an object, not the JSON text other vendors use. */
function parseArguments(text: string, path: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      `${path} is not valid JSON; Ollama needs tool-call arguments as an object.`,
      path,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidRequestError(`${path} must be a JSON object for Ollama.`, path);
  }
  return parsed as Record<string, unknown>;
}
