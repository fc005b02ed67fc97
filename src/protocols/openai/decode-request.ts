/**
 * OpenAI Chat Completions request → canonical ChatRequest.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type {
  AssistantContentPart,
  ChatMessage,
  ChatRequest,
  ImageSource,
  ResponseFormat,
  ToolChoice,
  ToolResultPart,
  UserContentPart,
} from '../../providers/spec.js';
import type { DecodeContext } from '../client-protocol.js';
import { openaiChatRequestSchema, type OpenAIChatRequestBody, type OpenAIMessage } from './request-schema.js';
import { isRecord } from './usage.js';
import { invalidRequestFromZod } from './validation-error.js';

type AssistantMessage = Extract<OpenAIMessage, { role: 'assistant' }>;
type UserMessage = Extract<OpenAIMessage, { role: 'user' }>;
type TextContent = string | Array<{ text: string }>;

export function decodeOpenAIRequest(body: unknown, context: DecodeContext): ChatRequest {
  if (!isRecord(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const parsed = openaiChatRequestSchema.safeParse(body);
  if (!parsed.success) {
    // Parsed again with the input in its issues (for OpenAI's wording), which costs ~8× a plain parse:
    // only a bad request pays for it.
    throw invalidRequestFromZod(openaiChatRequestSchema.safeParse(body, { reportInput: true }).error!);
  }
  const wire = parsed.data;

  const { system, messages } = decodeMessages(wire.messages);
  const request: ChatRequest = {
    model: context.model ?? wire.model,
    messages,
    stream: wire.stream ?? context.stream ?? false,
  };
  if (system !== undefined) request.system = system;
  if (wire.tools && wire.tools.length > 0) {
    request.tools = wire.tools.map(({ function: tool }) => ({
      name: tool.name,
      ...(tool.description != null && { description: tool.description }),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    }));
  }
  assignDefined(request, {
    toolChoice: wire.tool_choice == null ? undefined : decodeToolChoice(wire.tool_choice),
    parallelToolCalls: wire.parallel_tool_calls ?? undefined,
    responseFormat: wire.response_format == null ? undefined : decodeResponseFormat(wire.response_format),
    // max_tokens is the deprecated spelling; when a client sends both, the newer one wins.
    maxOutputTokens: wire.max_completion_tokens ?? wire.max_tokens ?? undefined,
    temperature: wire.temperature ?? undefined,
    topP: wire.top_p ?? undefined,
    stopSequences: wire.stop == null ? undefined : typeof wire.stop === 'string' ? [wire.stop] : wire.stop,
    presencePenalty: wire.presence_penalty ?? undefined,
    frequencyPenalty: wire.frequency_penalty ?? undefined,
    seed: wire.seed ?? undefined,
    candidateCount: wire.n ?? undefined,
    user: wire.user ?? undefined,
  });
  return request;
}

/** Whether a streaming client asked for the final usage chunk (stream_options.include_usage). */
export function wantsStreamUsage(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const options = body['stream_options'];
  return isRecord(options) && options['include_usage'] === true;
}

function decodeMessages(wireMessages: OpenAIMessage[]): { system?: string; messages: ChatMessage[] } {
  const systemTexts: string[] = [];
  const messages: ChatMessage[] = [];
  const toolNames = new Map<string, string>();

  wireMessages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        // Each system part is a block of instructions of its own, like a separate system message.
        systemTexts.push(joinText(message.content, '\n\n'));
        return;
      case 'user':
        messages.push({ role: 'user', content: decodeUserContent(message.content, index) });
        return;
      case 'assistant':
        for (const call of message.tool_calls ?? []) toolNames.set(call.id, call.function.name);
        messages.push({ role: 'assistant', content: decodeAssistantContent(message) });
        return;
      case 'tool': {
        const toolName = toolNames.get(message.tool_call_id);
        if (toolName === undefined) {
          throw new InvalidRequestError(
            `Invalid value for 'messages[${index}].tool_call_id': no earlier assistant message has a tool call with id '${message.tool_call_id}'.`,
            `messages[${index}].tool_call_id`,
          );
        }
        const part: ToolResultPart = {
          type: 'tool-result',
          toolCallId: message.tool_call_id,
          toolName,
          content: joinText(message.content, ''),
        };
        // Consecutive tool messages answer one assistant turn; keep them together as one canonical turn.
        const previous = messages.at(-1);
        if (previous?.role === 'tool') previous.content.push(part);
        else messages.push({ role: 'tool', content: [part] });
        return;
      }
    }
  });

  return { ...(systemTexts.length > 0 && { system: systemTexts.join('\n\n') }), messages };
}

function decodeUserContent(content: UserMessage['content'], messageIndex: number): UserContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, partIndex): UserContentPart => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const source = decodeImageUrl(part.image_url.url);
    if (!source) {
      const field = `messages[${messageIndex}].content[${partIndex}].image_url.url`;
      throw new InvalidRequestError(
        `Invalid value for '${field}': expected an https URL or a data:<mime>;base64,... URL.`,
        field,
      );
    }
    return { type: 'image', source };
  });
}

const dataUrlPattern = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s;

function decodeImageUrl(url: string): ImageSource | undefined {
  const data = dataUrlPattern.exec(url);
  if (data) return { kind: 'base64', mediaType: data[1]!, data: data[2]! };
  if (/^https?:\/\//i.test(url)) return { kind: 'url', url };
  return undefined;
}

function decodeAssistantContent(message: AssistantMessage): AssistantContentPart[] {
  const parts: AssistantContentPart[] = [];
  if (message.reasoning_content) parts.push({ type: 'reasoning', text: message.reasoning_content });
  if (typeof message.content === 'string') {
    if (message.content !== '') parts.push({ type: 'text', text: message.content });
  } else if (message.content) {
    for (const part of message.content) {
      parts.push({ type: 'text', text: part.type === 'text' ? part.text : part.refusal });
    }
  }
  if (message.refusal && !parts.some((part) => part.type === 'text')) {
    parts.push({ type: 'text', text: message.refusal });
  }
  for (const call of message.tool_calls ?? []) {
    parts.push({
      type: 'tool-call',
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  return parts;
}

function decodeToolChoice(choice: NonNullable<OpenAIChatRequestBody['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? { type: choice } : { type: 'tool', name: choice.function.name };
}

function decodeResponseFormat(format: NonNullable<OpenAIChatRequestBody['response_format']>): ResponseFormat {
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  const { name, schema } = format.json_schema;
  return { type: 'json', name, ...(schema != null && { schema }) };
}

function joinText(content: TextContent, separator: string): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join(separator);
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}
