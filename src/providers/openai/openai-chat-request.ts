/**
 * Canonical ChatRequest → OpenAI Chat Completions request body. The table below is the whole story for
 * scalar settings; messages, tools and formats have their own small functions.
 */
import type {
  AssistantContentPart,
  ChatMessage,
  ChatRequest,
  ImageSource,
  ResponseFormat,
  ToolChoice,
  UserContentPart,
} from '../spec.js';

type WireBody = Record<string, unknown>;

interface FieldMapping<Key extends keyof ChatRequest> {
  /** The wire field; absent when OpenAI has no equivalent (the setting becomes a warning). */
  wire?: string;
  convert?: (value: NonNullable<ChatRequest[Key]>) => unknown;
  /** A warning for a value OpenAI accepts but Atelier cannot return in full. */
  warn?: (value: NonNullable<ChatRequest[Key]>) => string | undefined;
}

type FieldTable = { [Key in keyof ChatRequest]?: FieldMapping<Key> };

export const requestFieldTable: FieldTable = {
  // max_completion_tokens replaces max_tokens and is the only spelling reasoning models accept.
  maxOutputTokens: { wire: 'max_completion_tokens' },
  temperature: { wire: 'temperature' },
  topP: { wire: 'top_p' },
  topK: {},
  stopSequences: { wire: 'stop' },
  presencePenalty: { wire: 'presence_penalty' },
  frequencyPenalty: { wire: 'frequency_penalty' },
  seed: { wire: 'seed' },
  user: { wire: 'user' },
  parallelToolCalls: { wire: 'parallel_tool_calls' },
  candidateCount: {
    wire: 'n',
    warn: (count) => (count > 1 ? `n=${count}: only the first choice is returned.` : undefined),
  },
  tools: {
    wire: 'tools',
    convert: (tools) =>
      tools.map((tool) => ({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description !== undefined && { description: tool.description }),
          parameters: tool.parameters,
        },
      })),
  },
  toolChoice: { wire: 'tool_choice', convert: toolChoiceToWire },
  responseFormat: { wire: 'response_format', convert: responseFormatToWire },
};

export interface WireRequest {
  body: WireBody;
  warnings: string[];
}

export function chatRequestToWire(request: ChatRequest): WireRequest {
  const warnings: string[] = [];
  const body: WireBody = { model: request.model, messages: messagesToWire(request) };
  for (const [key, mapping] of Object.entries(requestFieldTable) as Array<
    [keyof ChatRequest, FieldMapping<never>]
  >) {
    const value = request[key];
    if (value === undefined) continue;
    if (!mapping.wire) {
      warnings.push(`${key} is not supported by the OpenAI API and was ignored.`);
      continue;
    }
    body[mapping.wire] = mapping.convert ? mapping.convert(value as never) : value;
    const warning = mapping.warn?.(value as never);
    if (warning) warnings.push(warning);
  }
  if (request.stream) {
    body['stream'] = true;
    // Without this OpenAI never reports usage for a stream, and the gateway must account it.
    body['stream_options'] = { include_usage: true };
  }
  return { body, warnings };
}

function messagesToWire(request: ChatRequest): WireBody[] {
  const messages: WireBody[] = [];
  if (request.system !== undefined) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(...messageToWire(message));
  return messages;
}

function messageToWire(message: ChatMessage): WireBody[] {
  switch (message.role) {
    case 'user':
      return [{ role: 'user', content: userContentToWire(message.content) }];
    case 'assistant':
      return [assistantToWire(message.content)];
    case 'tool':
      // OpenAI has no error flag for tool results; the text itself tells the model what went wrong.
      return message.content.map((part) => ({
        role: 'tool',
        tool_call_id: part.toolCallId,
        content: part.content,
      }));
  }
}

function userContentToWire(parts: UserContentPart[]): string | WireBody[] {
  const [only] = parts;
  if (parts.length === 1 && only?.type === 'text') return only.text;
  return parts.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image_url', image_url: { url: imageUrl(part.source) } },
  );
}

function imageUrl(source: ImageSource): string {
  return source.kind === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
}

/** Reasoning from earlier turns is not sent back: OpenAI has no input field for it. */
function assistantToWire(parts: AssistantContentPart[]): WireBody {
  const text = parts.flatMap((part) => (part.type === 'text' ? [part.text] : []));
  const toolCalls = parts.flatMap((part) =>
    part.type === 'tool-call'
      ? [{ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } }]
      : [],
  );
  // OpenAI wants content null beside tool calls, and a string (possibly empty) otherwise.
  const content = text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '';
  const message: WireBody = { role: 'assistant', content };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  return message;
}

function toolChoiceToWire(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function responseFormatToWire(format: ResponseFormat): unknown {
  if (format.type === 'text') return { type: 'text' };
  if (!format.schema) return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema } };
}
