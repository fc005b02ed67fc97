import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/errors/index.js';
import { openaiClientProtocol, wantsStreamUsage } from '../../../../src/protocols/openai/index.js';

const decode = (body: unknown) => openaiClientProtocol.decodeRequest(body, {});

function decodeError(body: unknown): InvalidRequestError {
  try {
    decode(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected decodeRequest to throw');
}

describe('openai decodeRequest', () => {
  it('decodes a plain request with every scalar setting', () => {
    const request = decode({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 50,
      temperature: 0.3,
      top_p: 0.9,
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      user: 'user-1',
      stop: 'END',
      parallel_tool_calls: false,
      stream: true,
      stream_options: { include_usage: true },
      some_future_field: { kept: 'out of the canonical model' },
    });
    expect(request).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      maxOutputTokens: 50,
      temperature: 0.3,
      topP: 0.9,
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      user: 'user-1',
      stopSequences: ['END'],
      parallelToolCalls: false,
      stream: true,
    });
  });

  it('prefers max_completion_tokens over max_tokens and accepts explicit nulls', () => {
    const request = decode({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: null,
      stop: ['a', 'b'],
      tools: null,
      tool_choice: null,
    });
    expect(request.maxOutputTokens).toBe(20);
    expect(request.stopSequences).toEqual(['a', 'b']);
    expect(request).not.toHaveProperty('temperature');
    expect(request).not.toHaveProperty('tools');
    expect(request.stream).toBe(false);
  });

  it('joins system and developer messages into the canonical system prompt', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(request.system).toBe('Be brief.\n\nAnswer in French.');
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  });

  it('decodes image parts given as https and data URLs', () => {
    const request = decode({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is in these?' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    });
  });

  it('rejects an image URL that is neither http(s) nor a base64 data URL', () => {
    const error = decodeError({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] },
      ],
    });
    expect(error.param).toBe('messages[0].content[0].image_url.url');
    expect(error.message).toContain('messages[0].content[0].image_url.url');
  });

  it('decodes tools, tool choice, tool calls and tool results with their tool names', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '12:00' }] },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather by city',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time' } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(request.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather by city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'get_time', parameters: { type: 'object', properties: {} } },
    ]);
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool-call', id: 'call_2', name: 'get_time', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather', content: 'sunny' },
          { type: 'tool-result', toolCallId: 'call_2', toolName: 'get_time', content: '12:00' },
        ],
      },
    ]);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'required' }],
  ])('decodes tool_choice %s', (choice, expected) => {
    const request = decode({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: choice });
    expect(request.toolChoice).toEqual(expected);
  });

  it('decodes assistant text, refusal and reasoning history', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'plain', reasoning_content: 'thought' },
        { role: 'user', content: 'b' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'one' },
            { type: 'refusal', refusal: 'no' },
          ],
        },
        { role: 'user', content: 'c' },
        { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thought' },
        { type: 'text', text: 'plain' },
      ],
    });
    expect(request.messages[3]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'no' },
      ],
    });
    expect(request.messages[5]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'I cannot help with that.' }],
    });
  });

  it.each([
    [{ type: 'text' }, { type: 'text' }],
    [{ type: 'json_object' }, { type: 'json' }],
    [
      { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object' }, strict: true } },
      { type: 'json', name: 'person', schema: { type: 'object' } },
    ],
  ])('decodes response_format %j', (format, expected) => {
    const request = decode({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: format,
    });
    expect(request.responseFormat).toEqual(expected);
  });

  it('rejects a tool message that answers no earlier tool call', () => {
    const error = decodeError({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'tool', tool_call_id: 'call_missing', content: 'r' },
      ],
    });
    expect(error.param).toBe('messages[1].tool_call_id');
  });

  it.each([
    [null, undefined, 'JSON object'],
    [[1, 2], undefined, 'JSON object'],
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', "'model'"],
    [{ model: 'm' }, 'messages', "'messages'"],
    [{ model: 'm', messages: [] }, 'messages', "'messages'"],
    [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'messages[0].role'],
    [
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'user', content: [{ type: 'audio' }] },
        ],
      },
      'messages[1].content[0].type',
      'messages[1].content[0].type',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }] },
      'messages[0].content[0].text',
      'messages[0].content[0].text',
    ],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'string or array'],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' },
      'temperature',
      'temperature',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
      'temperature',
      'temperature',
    ],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }, 'max_tokens', 'max_tokens'],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' },
      'tool_choice',
      'tool_choice',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] },
      'tools[0].function.name',
      'tools[0].function.name',
    ],
    [
      {
        model: 'm',
        messages: [
          { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }] },
        ],
      },
      'messages[0].tool_calls[0].function.arguments',
      'messages[0].tool_calls[0].function.arguments',
    ],
  ])('rejects %j naming the field', (body, param, fragment) => {
    const error = decodeError(body);
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toContain(fragment);
  });

  it('reads stream_options.include_usage for the encoder', () => {
    expect(wantsStreamUsage({ stream: true, stream_options: { include_usage: true } })).toBe(true);
    expect(wantsStreamUsage({ stream: true })).toBe(false);
    expect(wantsStreamUsage(null)).toBe(false);
  });
});
