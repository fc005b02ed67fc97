import { describe, expect, it } from 'vitest';
import { toGeminiRequest } from '../../../../src/providers/gemini/index.js';
import type { ChatRequest } from '../../../../src/providers/spec.js';

const base: ChatRequest = { model: 'gemini-2.5-flash', messages: [], stream: false };

describe('toGeminiRequest', () => {
  it('merges a tool turn and following user text into one user turn, naming results from their calls', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'calling' },
            { type: 'tool-call', id: 'a', name: 'one', arguments: '{"x":1}' },
            { type: 'tool-call', id: 'b', name: 'two', arguments: 'not json' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'a', toolName: '', content: '{"ok":true}' },
            { type: 'tool-result', toolCallId: 'b', toolName: 'two', content: 'boom', isError: true },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'and?' }] },
      ],
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'q' }] },
      {
        role: 'model',
        parts: [
          { text: 'calling' },
          { functionCall: { id: 'a', name: 'one', args: { x: 1 } } },
          { functionCall: { id: 'b', name: 'two', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'a', name: 'one', response: { ok: true } } },
          { functionResponse: { id: 'b', name: 'two', response: { error: 'boom' } } },
          { text: 'and?' },
        ],
      },
    ]);
  });

  it('maps tool choices and warns about what Gemini cannot honour', () => {
    const tools = [{ name: 't', parameters: { type: 'object' } }];
    expect(toGeminiRequest({ ...base, tools, toolChoice: { type: 'required' } }).body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY' },
    });
    expect(toGeminiRequest({ ...base, tools, toolChoice: { type: 'auto' } }).body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'AUTO' },
    });
    const { body, warnings } = toGeminiRequest({
      ...base,
      stopSequences: ['1', '2', '3', '4', '5', '6'],
      responseFormat: { type: 'json' },
      user: 'someone',
    });
    expect(body.generationConfig).toEqual({
      stopSequences: ['1', '2', '3', '4', '5'],
      responseMimeType: 'application/json',
    });
    expect(warnings).toEqual([expect.stringContaining('stop sequences')]);
  });

  it('leaves function calls of pre-3 models unsigned', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'tool-call', id: 'a', name: 'f', arguments: '{}' }] },
      ],
    });
    expect(body.contents[0]!.parts[0]).toEqual({ functionCall: { id: 'a', name: 'f', args: {} } });
  });
});
