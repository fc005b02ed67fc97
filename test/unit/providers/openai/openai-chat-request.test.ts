import { describe, expect, it } from 'vitest';
import { chatRequestToWire } from '../../../../src/providers/openai/index.js';
import type { ChatRequest } from '../../../../src/providers/spec.js';

const base: ChatRequest = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
};

describe('canonical request → OpenAI wire body', () => {
  it('maps every scalar setting through the table', () => {
    const { body, warnings } = chatRequestToWire({
      ...base,
      system: 'Be brief.',
      maxOutputTokens: 100,
      temperature: 0.2,
      topP: 0.8,
      stopSequences: ['END'],
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      seed: 3,
      user: 'u',
      parallelToolCalls: true,
      candidateCount: 1,
    });
    expect(body).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.8,
      stop: ['END'],
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      seed: 3,
      user: 'u',
      parallel_tool_calls: true,
      n: 1,
    });
    expect(warnings).toEqual([]);
  });

  it('warns about settings OpenAI cannot honour in full instead of failing', () => {
    const { body, warnings } = chatRequestToWire({ ...base, topK: 40, candidateCount: 3 });
    expect(body).not.toHaveProperty('top_k');
    expect(body['n']).toBe(3);
    expect(warnings).toEqual([
      'topK is not supported by the OpenAI API and was ignored.',
      'n=3: only the first choice is returned.',
    ]);
  });

  it('asks for usage in streams', () => {
    const { body } = chatRequestToWire({ ...base, stream: true });
    expect(body['stream']).toBe(true);
    expect(body['stream_options']).toEqual({ include_usage: true });
  });

  it('maps images, tool calls, tool results, tools and formats', () => {
    const { body } = chatRequestToWire({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'private thoughts' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
          ],
        },
        {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather', content: 'sunny' }],
        },
        { role: 'assistant', content: [] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      responseFormat: { type: 'json', name: 'answer', schema: { type: 'object' } },
    });
    expect(body['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'assistant', content: '' },
    ]);
    expect(body['tools']).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
      },
    ]);
    expect(body['tool_choice']).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' } },
    });
  });

  it.each([
    [{ type: 'auto' } as const, 'auto'],
    [{ type: 'none' } as const, 'none'],
    [{ type: 'required' } as const, 'required'],
  ])('maps tool choice %j', (toolChoice, wire) => {
    expect(chatRequestToWire({ ...base, toolChoice }).body['tool_choice']).toBe(wire);
  });

  it('maps json without a schema to json_object', () => {
    expect(chatRequestToWire({ ...base, responseFormat: { type: 'json' } }).body['response_format']).toEqual({
      type: 'json_object',
    });
    expect(chatRequestToWire({ ...base, responseFormat: { type: 'text' } }).body['response_format']).toEqual({
      type: 'text',
    });
  });
});
