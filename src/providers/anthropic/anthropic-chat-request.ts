/**
 * Canonical ChatRequest → Anthropic Messages request body. Read the tables top to bottom to see what the
 * adapter sends; settings Anthropic has no field for become warnings, never errors.
 */
import type {
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicRequestBlock,
  AnthropicToolChoice,
} from '../../protocols/anthropic/wire-types.js';
import type { ChatMessage, ChatRequest, ImageSource, ToolChoice } from '../spec.js';

/** Anthropic requires max_tokens; canonical requests from other protocols may leave it out. */
export const defaultMaxTokens = 4096;

/** Settings copied as they are, canonical name → Anthropic name. */
const directSettings = {
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  stopSequences: 'stop_sequences',
} as const satisfies Partial<Record<keyof ChatRequest, keyof AnthropicMessagesRequest>>;

/** Settings the Messages API has no field for: dropped with a warning when set. */
const unsupportedSettings = {
  presencePenalty: 'presence_penalty is not supported by Anthropic and was ignored',
  frequencyPenalty: 'frequency_penalty is not supported by Anthropic and was ignored',
  seed: 'seed is not supported by Anthropic and was ignored',
} as const satisfies Partial<Record<keyof ChatRequest, string>>;

/** Canonical tool choice → Anthropic's; a named tool is the one choice that carries data. */
const toolChoiceTypes = {
  auto: 'auto',
  none: 'none',
  required: 'any',
} as const satisfies Record<Exclude<ToolChoice['type'], 'tool'>, AnthropicToolChoice['type']>;

/** Anthropic's temperature range is 0..1; OpenAI-protocol clients may send up to 2. */
const maxTemperature = 1;

export interface EncodedRequest {
  body: AnthropicMessagesRequest;
  warnings: string[];
}

export function encodeChatRequest(request: ChatRequest): EncodedRequest {
  const warnings: string[] = [];
  const body: AnthropicMessagesRequest = {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? defaultMaxTokens,
    messages: encodeMessages(request.messages, warnings),
  };
  if (request.system) body.system = request.system;

  for (const [canonical, wire] of Object.entries(directSettings) as Array<
    [keyof typeof directSettings, (typeof directSettings)[keyof typeof directSettings]]
  >) {
    const value = request[canonical];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    Object.assign(body, { [wire]: value });
  }
  if (body.temperature !== undefined && body.temperature > maxTemperature) {
    warnings.push(`temperature ${body.temperature} is above Anthropic's maximum of 1 and was lowered to 1`);
    body.temperature = maxTemperature;
  }
  for (const [canonical, warning] of Object.entries(unsupportedSettings) as Array<
    [keyof typeof unsupportedSettings, string]
  >) {
    if (request[canonical] !== undefined) warnings.push(warning);
  }

  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      // input_schema must be an object schema; an empty parameters object means "no arguments".
      input_schema:
        'type' in tool.parameters ? tool.parameters : { type: 'object', properties: {}, ...tool.parameters },
    }));
    const choice = encodeToolChoice(request.toolChoice);
    if (choice) body.tool_choice = choice;
    if (request.parallelToolCalls === false && body.tool_choice?.type !== 'none') {
      body.tool_choice = { ...(body.tool_choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    }
  } else if (request.toolChoice && request.toolChoice.type !== 'none' && request.toolChoice.type !== 'auto') {
    warnings.push('tool_choice was ignored because the request offers no tools');
  }

  if (request.responseFormat?.type === 'json') {
    warnings.push(
      'Anthropic has no JSON response mode; response_format was ignored (ask for JSON in the prompt)',
    );
  }
  if (request.candidateCount !== undefined && request.candidateCount > 1) {
    warnings.push(`Anthropic returns one candidate; n=${request.candidateCount} was ignored`);
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return { body, warnings };
}

function encodeToolChoice(choice: ToolChoice | undefined): AnthropicToolChoice | undefined {
  if (!choice) return undefined;
  return choice.type === 'tool'
    ? { type: 'tool', name: choice.name }
    : { type: toolChoiceTypes[choice.type] };
}

/**
 * Anthropic requires user and assistant turns to alternate and has no tool role: tool results travel in a
 * user turn. Consecutive turns of the same Anthropic role are merged, tool results first as it requires.
 */
function encodeMessages(messages: ChatMessage[], warnings: string[]): AnthropicMessageParam[] {
  const out: Array<{ role: 'user' | 'assistant'; content: AnthropicRequestBlock[] }> = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const content = encodeContent(message, warnings);
    // Anthropic rejects empty turns and empty text blocks.
    if (content.length === 0) continue;
    const previous = out.at(-1);
    if (previous && previous.role === role) previous.content.push(...content);
    else out.push({ role, content });
  }
  return out;
}

function encodeContent(message: ChatMessage, warnings: string[]): AnthropicRequestBlock[] {
  switch (message.role) {
    case 'user':
      return message.content.flatMap((part): AnthropicRequestBlock[] => {
        if (part.type === 'text') return part.text === '' ? [] : [{ type: 'text', text: part.text }];
        return [{ type: 'image', source: encodeImageSource(part.source) }];
      });
    case 'tool':
      return message.content.map((part) => ({
        type: 'tool_result',
        tool_use_id: part.toolCallId,
        content: part.content,
        ...(part.isError && { is_error: true }),
      }));
    case 'assistant':
      return message.content.flatMap((part): AnthropicRequestBlock[] => {
        switch (part.type) {
          case 'text':
            return part.text === '' ? [] : [{ type: 'text', text: part.text }];
          case 'reasoning':
            // Anthropic accepts earlier thinking only with its own signature; other vendors' reasoning is dropped.
            return part.signature
              ? [{ type: 'thinking', thinking: part.text, signature: part.signature }]
              : [];
          case 'tool-call':
            return [
              {
                type: 'tool_use',
                id: part.id,
                name: part.name,
                input: toolInput(part.id, part.arguments, warnings),
              },
            ];
        }
      });
  }
}

/** Anthropic needs `input` as an object; arguments another vendor produced may not be one. */
function toolInput(id: string, argumentsText: string, warnings: string[]): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(argumentsText);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  warnings.push(`tool call ${id} had arguments that are not a JSON object; sent as {}`);
  return {};
}

/** data: URLs (how OpenAI clients inline images) become base64 sources, which Anthropic needs for them. */
function encodeImageSource(source: ImageSource): AnthropicImageSource {
  if (source.kind === 'base64') return { type: 'base64', media_type: source.mediaType, data: source.data };
  const inline = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (inline) return { type: 'base64', media_type: inline[1]!, data: inline[2]! };
  return { type: 'url', url: source.url };
}
