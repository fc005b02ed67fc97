/** SSE events become the elements of one JSON array, however the bytes are cut. */
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { SseToJsonArray } from '../../../../src/protocols/gemini/json-array-stream.js';

async function framed(chunks: Array<string | Buffer>): Promise<string> {
  const transform = new SseToJsonArray();
  const output = text(transform);
  await pipeline(Readable.from(chunks, { objectMode: false }), transform);
  return output;
}

const events = [
  { candidates: [{ content: { role: 'model', parts: [{ text: 'Héllo, ' }] } }] },
  { candidates: [{ content: { role: 'model', parts: [{ text: 'wörld' }] }, finishReason: 'STOP' }] },
  { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } },
];
const sse = events.map((event) => `data: ${JSON.stringify(event)}\r\n\r\n`).join('');

describe('SseToJsonArray', () => {
  it('turns each data line into an array element, in order', async () => {
    const out = await framed([sse]);
    expect(JSON.parse(out)).toEqual(events);
    expect(out.startsWith('[{')).toBe(true);
    expect(out.endsWith('}]')).toBe(true);
  });

  it('gives the same array for every cut of the bytes, multi-byte characters included', async () => {
    const bytes = Buffer.from(sse);
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = await framed([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(JSON.parse(out), `cut at ${cut}`).toEqual(events);
    }
  });

  it('reads LF framing, ignores comments and other fields, and takes a last line without a line break', async () => {
    const input = `: keep-alive\nevent: message\ndata: {"a":1}\n\nid: 7\ndata:{"b":2}`;
    expect(JSON.parse(await framed([input]))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('answers an empty array for a stream without events', async () => {
    expect(await framed([])).toBe('[]');
    expect(await framed([': nothing\n\n'])).toBe('[]');
  });
});
