import { describe, expect, it } from 'vitest';
import { defaultMaxTokens, encodeChatRequest } from '../../../../src/providers/anthropic/index.js';
import type { ChatRequest } from '../../../../src/providers/spec.js';

const base: ChatRequest = {
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};
const tool = { name: 'lookup', parameters: {} };

describe('canonical → Anthropic request mapping', () => {
  it('fills max_tokens when the canonical request has none', () => {
    expect(defaultMaxTokens).toBe(4096);
    expect(encodeChatRequest(base)).toEqual({
      body: {
        model: 'claude-haiku-4-5',
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      },
      warnings: [],
    });
  });

  it('copies sampling settings and the user id, and streams when asked', () => {
    const { body } = encodeChatRequest({
      ...base,
      maxOutputTokens: 10,
      temperature: 0.5,
      topP: 0.8,
      topK: 20,
      stopSequences: ['x', 'y'],
      user: 'end-user',
      stream: true,
    });
    expect(body).toMatchObject({
      max_tokens: 10,
      temperature: 0.5,
      top_p: 0.8,
      top_k: 20,
      stop_sequences: ['x', 'y'],
      metadata: { user_id: 'end-user' },
      stream: true,
    });
  });

  it.each([
    [{ type: 'auto' } as const, { type: 'auto' }],
    [{ type: 'none' } as const, { type: 'none' }],
    [{ type: 'required' } as const, { type: 'any' }],
    [{ type: 'tool', name: 'lookup' } as const, { type: 'tool', name: 'lookup' }],
  ])('maps tool choice %j', (toolChoice, expected) => {
    expect(encodeChatRequest({ ...base, tools: [tool], toolChoice }).body.tool_choice).toEqual(expected);
  });

  it('turns parallelToolCalls false into disable_parallel_tool_use even without a tool choice', () => {
    expect(encodeChatRequest({ ...base, tools: [tool], parallelToolCalls: false }).body.tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
  });

  it('gives argument-less tools an object input_schema', () => {
    expect(encodeChatRequest({ ...base, tools: [tool] }).body.tools).toEqual([
      { name: 'lookup', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it('warns instead of failing for what Anthropic cannot do', () => {
    const { body, warnings } = encodeChatRequest({
      ...base,
      toolChoice: { type: 'required' },
      presencePenalty: 0.5,
      frequencyPenalty: 0.5,
      candidateCount: 2,
      responseFormat: { type: 'json', schema: { type: 'object' } },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 't', name: 'lookup', arguments: '[1,2]' }] },
      ],
    });
    expect(body.tool_choice).toBeUndefined();
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't', name: 'lookup', input: {} }],
    });
    expect(warnings).toEqual([
      'tool call t had arguments that are not a JSON object; sent as {}',
      'presence_penalty is not supported by Anthropic and was ignored',
      'frequency_penalty is not supported by Anthropic and was ignored',
      'tool_choice was ignored because the request offers no tools',
      'Anthropic has no JSON response mode; response_format was ignored (ask for JSON in the prompt)',
      'Anthropic returns one candidate; n=2 was ignored',
    ]);
  });

  it('keeps signed thinking, drops unsigned reasoning and empty turns, merges same-role turns', () => {
    const { body } = encodeChatRequest({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'assistant', content: [{ type: 'text', text: '' }] },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'signed', signature: 'sig' },
            { type: 'reasoning', text: 'unsigned' },
            { type: 'tool-call', id: 't1', name: 'lookup', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 't1', toolName: 'lookup', content: 'oops', isError: true },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'c' }] },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'signed', signature: 'sig' },
          { type: 'tool_use', id: 't1', name: 'lookup', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'oops', is_error: true },
          { type: 'text', text: 'c' },
        ],
      },
    ]);
  });
});
