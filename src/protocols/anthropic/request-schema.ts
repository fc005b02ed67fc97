/**
 * zod schema of a POST /v1/messages body. Objects are loose: fields Atelier does not use (cache_control,
 * citations, thinking, service_tier …) pass through untouched, as Anthropic may add more at any time.
 */
import * as z from 'zod';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);

const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource });

const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});

const thinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
});

const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') });

/** Every block any role may carry; which role may carry which is checked while mapping. */
const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const tool = z
  .looseObject({
    type: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((value, context) => {
    // Server tools (web_search_…, bash_…, computer_…) run inside Anthropic; no other vendor can honour them.
    if (value.type !== undefined && value.type !== 'custom') {
      context.addIssue({
        code: 'custom',
        path: ['type'],
        message: `server tool type '${value.type}' is not supported by this gateway; only custom tools with an input_schema are`,
      });
    } else if (value.input_schema === undefined) {
      context.addIssue({ code: 'custom', path: ['input_schema'], message: 'Field required' });
    }
  });

const parallelOption = { disable_parallel_tool_use: z.boolean().optional() };

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), ...parallelOption }),
  z.looseObject({ type: z.literal('any'), ...parallelOption }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...parallelOption }),
  z.looseObject({ type: z.literal('none') }),
]);

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(message),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  stream: z.boolean().optional(),
});

export type MessagesRequestBody = z.infer<typeof messagesRequestSchema>;
export type RequestMessage = MessagesRequestBody['messages'][number];
export type RequestContentBlock = Exclude<RequestMessage['content'], string>[number];
