import { describe, expect, it } from 'vitest';
import { openaiClientProtocol } from '../../../../src/protocols/openai/index.js';

const usageChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  choices: [],
  usage: {
    prompt_tokens: 10,
    completion_tokens: 7,
    total_tokens: 17,
    prompt_tokens_details: { cached_tokens: 3 },
    completion_tokens_details: { reasoning_tokens: 2 },
  },
};

function feed(text: string, pieceSize: number) {
  const observer = openaiClientProtocol.createStreamUsageObserver();
  const bytes = Buffer.from(text);
  for (let index = 0; index < bytes.length; index += pieceSize)
    observer.push(bytes.subarray(index, index + pieceSize));
  return observer.result();
}

describe('openai usage', () => {
  it('reads usage from a chat.completion body', () => {
    expect(openaiClientProtocol.usageFromBody({ usage: usageChunk.usage })).toEqual({
      inputTokens: 10,
      outputTokens: 7,
      cachedInputTokens: 3,
      reasoningTokens: 2,
    });
    expect(openaiClientProtocol.usageFromBody({ usage: { prompt_tokens: 1, completion_tokens: 2 } })).toEqual(
      {
        inputTokens: 1,
        outputTokens: 2,
      },
    );
    expect(openaiClientProtocol.usageFromBody({ choices: [] })).toBeUndefined();
    expect(openaiClientProtocol.usageFromBody('nope')).toBeUndefined();
  });

  it.each([1, 3, 64, 10_000])('finds usage in a relayed stream split every %i bytes', (pieceSize) => {
    const text =
      'data: {"choices":[{"index":0,"delta":{"content":"the word \\"usage\\": here"}}],"usage":null}\n\n' +
      'data: {"choices":[{"index":0,"delta":{"content":"é€😀"},"finish_reason":"stop"}],"usage":null}\r\n\r\n' +
      `data: ${JSON.stringify(usageChunk)}\n\n` +
      'data: [DONE]\n\n';
    expect(feed(text, pieceSize)).toEqual({
      inputTokens: 10,
      outputTokens: 7,
      cachedInputTokens: 3,
      reasoningTokens: 2,
    });
  });

  it('reports no usage for a stream without a usage chunk', () => {
    expect(feed('data: {"choices":[]}\n\ndata: [DONE]\n\n', 5)).toBeUndefined();
  });
});
