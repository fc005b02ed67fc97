import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/errors/index.js';
import { toOllamaChatBody } from '../../../../src/providers/ollama/index.js';
import type { ChatRequest } from '../../../../src/providers/spec.js';

const base: ChatRequest = { model: 'llama3.2', messages: [], stream: false };

describe('canonical → Ollama /api/chat body', () => {
  it('sends no options, tools or format when none are set, and always states stream', () => {
    expect(toOllamaChatBody(base, true)).toEqual({
      body: { model: 'llama3.2', messages: [], stream: true },
      warnings: [],
    });
  });

  it('joins user text parts and splits multi-result tool turns into one message each', () => {
    const { body } = toOllamaChatBody(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'first' },
              { type: 'text', text: 'second' },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'I should call both.' },
              { type: 'text', text: 'Calling.' },
              { type: 'tool-call', id: 'x', name: 'a', arguments: '{"n":1}' },
              { type: 'tool-call', id: 'y', name: 'b', arguments: '' },
            ],
          },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'x', toolName: 'a', content: 'one' },
              { type: 'tool-result', toolCallId: 'y', toolName: 'b', content: 'two', isError: true },
            ],
          },
        ],
      },
      false,
    );
    expect(body.messages).toEqual([
      { role: 'user', content: 'first\nsecond' },
      {
        role: 'assistant',
        content: 'Calling.',
        thinking: 'I should call both.',
        tool_calls: [
          { function: { name: 'a', arguments: { n: 1 } } },
          { function: { name: 'b', arguments: {} } },
        ],
      },
      { role: 'tool', content: 'one', tool_name: 'a' },
      { role: 'tool', content: 'two', tool_name: 'b' },
    ]);
  });

  it('refuses tool-call arguments that are not a JSON object, naming the part', () => {
    const request = (text: string): ChatRequest => ({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'x', name: 'a', arguments: text }] },
      ],
    });
    for (const text of ['{not json', '[1,2]', '"text"']) {
      expect(() => toOllamaChatBody(request(text), false)).toThrow(InvalidRequestError);
      try {
        toOllamaChatBody(request(text), false);
      } catch (error) {
        expect(error).toMatchObject({ param: 'messages[1].content[0].arguments' });
      }
    }
  });

  it('refuses remote image URLs with a message naming the part', () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'http://host/cat.jpg' } }] },
      ],
    };
    expect(() => toOllamaChatBody(request, false)).toThrow(
      /messages\[1\]\.content\[0\] is an image given by URL, which Ollama cannot fetch/,
    );
  });

  it('warns about parallelToolCalls=false and a named toolChoice instead of failing', () => {
    const { body, warnings } = toOllamaChatBody(
      {
        ...base,
        tools: [{ name: 'a', parameters: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'a' },
        parallelToolCalls: false,
      },
      false,
    );
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'a', parameters: { type: 'object' } } },
    ]);
    expect(warnings).toHaveLength(2);
  });

  it('drops an empty stop list and an empty system prompt', () => {
    const { body } = toOllamaChatBody({ ...base, system: '', stopSequences: [] }, false);
    expect(body).toEqual({ model: 'llama3.2', messages: [], stream: false });
  });
});
