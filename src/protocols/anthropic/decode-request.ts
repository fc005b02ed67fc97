/**
 * POST /v1/messages body → canonical ChatRequest.
 *
 * Anthropic carries tool results inside user turns; the canonical model has a separate `tool` role. A user
 * turn is therefore split into runs, in order: tool_result blocks become a `tool` message, text and image
 * blocks a `user` message. Images inside a tool_result (screenshots returned by a tool) cannot live in a
 * canonical tool result, so they follow it in a user message of their own.
 */
import { AtelierError, InvalidRequestError } from '../../errors/index.js';
import type {
  AssistantContentPart,
  ChatMessage,
  ChatRequest,
  ImagePart,
  ToolChoice,
  ToolResultPart,
  UserContentPart,
} from '../../providers/spec.js';
import type { DecodeContext } from '../client-protocol.js';
import {
  messagesRequestSchema,
  type MessagesRequestBody,
  type RequestContentBlock,
  type RequestMessage,
} from './request-schema.js';
import { formatPath, invalidRequestFromZod } from './validation-error.js';

export function decodeRequest(body: unknown, context: DecodeContext): ChatRequest {
  try {
    const parsed = messagesRequestSchema.safeParse(body);
    if (!parsed.success) throw invalidRequestFromZod(parsed.error, body);
    return toCanonical(parsed.data, context);
  } catch (error) {
    if (error instanceof AtelierError) throw error;
    // Whatever JSON arrives, the client gets a 400 and never a 500.
    throw new InvalidRequestError(
      `Request body could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function toCanonical(body: MessagesRequestBody, context: DecodeContext): ChatRequest {
  const request: ChatRequest = {
    model: body.model,
    messages: decodeMessages(body.messages),
    maxOutputTokens: body.max_tokens,
    stream: body.stream ?? context.stream ?? false,
  };
  const system = decodeSystem(body.system);
  if (system !== undefined) request.system = system;
  if (body.tools && body.tools.length > 0) {
    request.tools = body.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.input_schema ?? { type: 'object' },
    }));
  }
  if (body.tool_choice) {
    request.toolChoice = decodeToolChoice(body.tool_choice);
    if (
      'disable_parallel_tool_use' in body.tool_choice &&
      body.tool_choice.disable_parallel_tool_use === true
    ) {
      request.parallelToolCalls = false;
    }
  }
  if (body.stop_sequences && body.stop_sequences.length > 0) request.stopSequences = body.stop_sequences;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (typeof body.metadata?.user_id === 'string') request.user = body.metadata.user_id;
  return request;
}

function decodeSystem(system: MessagesRequestBody['system']): string | undefined {
  if (system === undefined) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  const text = system.map((block) => block.text).join('\n\n');
  return text === '' ? undefined : text;
}

function decodeToolChoice(choice: NonNullable<MessagesRequestBody['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return { type: 'auto' };
    case 'any':
      return { type: 'required' };
    case 'none':
      return { type: 'none' };
    case 'tool':
      return { type: 'tool', name: choice.name };
  }
}

function decodeMessages(messages: RequestMessage[]): ChatMessage[] {
  // tool_use id → tool name, so tool results can name their tool (Gemini needs it).
  const toolNames = new Map<string, string>();
  const out: ChatMessage[] = [];
  messages.forEach((message, messageIndex) => {
    const blocks: RequestContentBlock[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'assistant') out.push(decodeAssistant(blocks, messageIndex, toolNames));
    else out.push(...decodeUser(blocks, messageIndex, toolNames));
  });
  return out;
}

function notAllowed(
  messageIndex: number,
  blockIndex: number,
  type: string,
  role: string,
): InvalidRequestError {
  const param = formatPath(['messages', messageIndex, 'content', blockIndex, 'type']);
  return new InvalidRequestError(`${param}: '${type}' blocks are not allowed in ${role} messages`, param);
}

function decodeAssistant(
  blocks: RequestContentBlock[],
  messageIndex: number,
  toolNames: Map<string, string>,
): ChatMessage {
  const content: AssistantContentPart[] = [];
  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
        content.push({ type: 'text', text: block.text });
        break;
      case 'tool_use':
        toolNames.set(block.id, block.name);
        content.push({
          type: 'tool-call',
          id: block.id,
          name: block.name,
          arguments: JSON.stringify(block.input),
        });
        break;
      case 'thinking':
        content.push({
          type: 'reasoning',
          text: block.thinking,
          ...(block.signature !== undefined && { signature: block.signature }),
        });
        break;
      case 'redacted_thinking':
        // Encrypted reasoning only Anthropic can read; nothing canonical to carry.
        break;
      default:
        throw notAllowed(messageIndex, blockIndex, block.type, 'assistant');
    }
  });
  return { role: 'assistant', content };
}

function decodeUser(
  blocks: RequestContentBlock[],
  messageIndex: number,
  toolNames: Map<string, string>,
): ChatMessage[] {
  const out: ChatMessage[] = [];
  let user: UserContentPart[] | undefined;
  let tool: ToolResultPart[] | undefined;
  // Images returned inside tool results, placed right after the tool message they came with.
  let toolImages: ImagePart[] = [];

  const closeTool = () => {
    if (!tool) return;
    out.push({ role: 'tool', content: tool });
    tool = undefined;
    if (toolImages.length > 0) out.push({ role: 'user', content: toolImages });
    toolImages = [];
  };
  const closeUser = () => {
    if (!user) return;
    out.push({ role: 'user', content: user });
    user = undefined;
  };

  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
      case 'image':
        closeTool();
        user ??= [];
        user.push(
          block.type === 'text'
            ? { type: 'text', text: block.text }
            : { type: 'image', source: decodeImage(block.source) },
        );
        break;
      case 'tool_result': {
        closeUser();
        const toolName = toolNames.get(block.tool_use_id);
        if (toolName === undefined) {
          const param = formatPath(['messages', messageIndex, 'content', blockIndex, 'tool_use_id']);
          throw new InvalidRequestError(
            `${param}: no earlier tool_use block has the id '${block.tool_use_id}'`,
            param,
          );
        }
        const texts: string[] = [];
        if (typeof block.content === 'string') texts.push(block.content);
        for (const part of Array.isArray(block.content) ? block.content : []) {
          if (part.type === 'text') texts.push(part.text);
          else toolImages.push({ type: 'image', source: decodeImage(part.source) });
        }
        tool ??= [];
        tool.push({
          type: 'tool-result',
          toolCallId: block.tool_use_id,
          toolName,
          content: texts.join('\n'),
          ...(block.is_error === true && { isError: true }),
        });
        break;
      }
      default:
        throw notAllowed(messageIndex, blockIndex, block.type, 'user');
    }
  });
  closeTool();
  closeUser();
  // An empty content array still is a user turn; keep it so turn order survives.
  if (out.length === 0) out.push({ role: 'user', content: [] });
  return out;
}

function decodeImage(
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string },
): ImagePart['source'] {
  return source.type === 'base64'
    ? { kind: 'base64', mediaType: source.media_type, data: source.data }
    : { kind: 'url', url: source.url };
}
