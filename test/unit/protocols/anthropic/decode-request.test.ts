import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/errors/index.js';
import { anthropicClientProtocol } from '../../../../src/protocols/anthropic/index.js';

const decode = (body: unknown) => anthropicClientProtocol.decodeRequest(body, {});

function decodeError(body: unknown): InvalidRequestError {
  try {
    decode(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected decodeRequest to throw');
}

const base = { model: 'claude-sonnet-4-5', max_tokens: 256 };

describe('anthropic decodeRequest', () => {
  it('maps a plain request with every sampling setting', () => {
    const request = decode({
      ...base,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: 'user-7' },
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      maxOutputTokens: 256,
      stopSequences: ['END'],
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      user: 'user-7',
      stream: true,
    });
  });

  it('joins system text blocks and accepts cache_control on them', () => {
    const request = decode({
      ...base,
      system: [
        { type: 'text', text: 'You are a helper.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(request.system).toBe('You are a helper.\n\nAnswer in French.');
    expect(request.stream).toBe(false);
  });

  it('maps base64 and url images', () => {
    const request = decode({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('maps a tool round trip: tools, tool_choice, tool_use, tool_result turns', () => {
    const request = decode({
      ...base,
      tools: [
        {
          name: 'get_weather',
          description: 'Weather for a city',
          input_schema: { type: 'object', properties: { location: { type: 'string' } } },
          cache_control: { type: 'ephemeral' },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should call the tool.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: '18C' },
                { type: 'text', text: 'sunny' },
              ],
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(request.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { location: { type: 'string' } } },
      },
    ]);
    expect(request.toolChoice).toEqual({ type: 'required' });
    expect(request.parallelToolCalls).toBe(false);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'I should call the tool.', signature: 'sig-1' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', toolName: 'get_weather', content: '18C\nsunny' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
  });

  it('keeps the order of text and tool results within a turn and carries is_error', () => {
    const request = decode({
      ...base,
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'a', name: 'first', input: {} },
            { type: 'tool_use', id: 'b', name: 'second', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'before' },
            { type: 'tool_result', tool_use_id: 'a', content: 'one', is_error: true },
            { type: 'tool_result', tool_use_id: 'b' },
            { type: 'text', text: 'after' },
          ],
        },
      ],
    });
    expect(request.messages.map((message) => message.role)).toEqual(['assistant', 'user', 'tool', 'user']);
    expect(request.messages[2]).toEqual({
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'a', toolName: 'first', content: 'one', isError: true },
        { type: 'tool-result', toolCallId: 'b', toolName: 'second', content: '' },
      ],
    });
  });

  it('moves images returned inside a tool result into a user message right after it', () => {
    const request = decode({
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'shot', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'shot',
              content: [
                { type: 'text', text: 'captured' },
                { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
              ],
            },
          ],
        },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'tool',
        content: [{ type: 'tool-result', toolCallId: 'shot', toolName: 'screenshot', content: 'captured' }],
      },
      {
        role: 'user',
        content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } }],
      },
    ]);
  });

  it.each([
    [{ type: 'auto' }, { type: 'auto' }],
    [{ type: 'none' }, { type: 'none' }],
    [
      { type: 'tool', name: 'get_weather' },
      { type: 'tool', name: 'get_weather' },
    ],
  ])('maps tool_choice %j', (choice, expected) => {
    const request = decode({
      ...base,
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: choice,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(request.toolChoice).toEqual(expected);
    expect(request.parallelToolCalls).toBeUndefined();
  });

  describe('rejects bad input with a 400 naming the field', () => {
    it.each<[string, unknown, string]>([
      ['missing max_tokens', { model: 'm', messages: [] }, 'max_tokens'],
      ['zero max_tokens', { ...base, max_tokens: 0, messages: [] }, 'max_tokens'],
      ['fractional max_tokens', { ...base, max_tokens: 1.5, messages: [] }, 'max_tokens'],
      ['missing model', { max_tokens: 5, messages: [] }, 'model'],
      ['bad role', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
      ['numeric content', { ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
      [
        'unknown block type',
        {
          ...base,
          messages: [
            { role: 'user', content: 'a' },
            { role: 'user', content: [{ type: 'video' }] },
          ],
        },
        'messages[1].content[0].type',
      ],
      [
        'image url not a string',
        {
          ...base,
          messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 3 } }] }],
        },
        'messages[0].content[0].source.url',
      ],
      [
        'tool_use in a user turn',
        {
          ...base,
          messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'y', input: {} }] }],
        },
        'messages[0].content[0].type',
      ],
      [
        'image in an assistant turn',
        {
          ...base,
          messages: [
            {
              role: 'assistant',
              content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }],
            },
          ],
        },
        'messages[0].content[0].type',
      ],
      [
        'tool_result without its tool_use',
        {
          ...base,
          messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }],
        },
        'messages[0].content[0].tool_use_id',
      ],
      [
        'server tool',
        { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [] },
        'tools[0].type',
      ],
      [
        'tool without input_schema',
        { ...base, tools: [{ name: 'f' }], messages: [] },
        'tools[0].input_schema',
      ],
      ['temperature above 1', { ...base, temperature: 1.5, messages: [] }, 'temperature'],
      [
        'tool_choice tool without name',
        { ...base, tool_choice: { type: 'tool' }, messages: [] },
        'tool_choice.name',
      ],
      ['system number', { ...base, system: 7, messages: [] }, 'system'],
    ])('%s', (_name, body, param) => {
      const error = decodeError(body);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(error.message.startsWith(`${param}: `)).toBe(true);
    });

    it('says Field required for a missing max_tokens, as Anthropic does', () => {
      expect(decodeError({ model: 'm', messages: [] }).message).toBe('max_tokens: Field required');
    });

    it('names the unsupported block type and the accepted ones', () => {
      const error = decodeError({ ...base, messages: [{ role: 'user', content: [{ type: 'document' }] }] });
      expect(error.message).toContain('"document"');
      expect(error.message).toContain("'tool_result'");
    });

    it('explains the server tool refusal', () => {
      const error = decodeError({ ...base, tools: [{ type: 'bash_20250124', name: 'bash' }], messages: [] });
      expect(error.message).toContain("server tool type 'bash_20250124' is not supported");
    });

    it.each([null, [], 42, 'text', true])('rejects a body that is %j', (body) => {
      const error = decodeError(body);
      expect(error.message).toMatch(/Request body must be a JSON object/);
    });
  });
});
