import { describe, expect, it } from 'vitest';
import { observeStreamUsage } from '../../../src/protocols/relay-usage.js';

/** A reader that records what the scanner showed it and parsed for it. */
function recordingReader(marker: string, test?: (data: string) => boolean) {
  const tested: string[] = [];
  const read: Array<Record<string, unknown>> = [];
  const observer = observeStreamUsage({
    marker,
    ...(test && {
      mayCarryUsage(data: string) {
        tested.push(data);
        return test(data);
      },
    }),
    read(payload) {
      read.push(payload);
    },
    usage: () => ({ inputTokens: read.length, outputTokens: 0 }),
  });
  return { observer, tested, read };
}

function feed(observer: { push(chunk: Buffer): void }, text: string, pieceSize: number) {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += pieceSize)
    observer.push(bytes.subarray(offset, offset + pieceSize));
}

const stream =
  ': keep-alive comment with "use"\n' +
  'event: first\r\ndata: {"use":1,"text":"é€😀"}\r\n\r\n' +
  'data: {"n":2}\n\n' +
  'event: third\ndata: not json "use"\n\n' +
  'data: ["use"]\n\n' +
  'data: {"n":4,"text":"no marker here"}\n\n' +
  'data: {"n":5,"use":"last line, no newline"}';

describe('observeStreamUsage', () => {
  it.each([1, 2, 3, 5, 7, 1000])(
    'parses exactly the data lines holding the marker, split every %i bytes',
    (pieceSize) => {
      const { observer, tested, read } = recordingReader('"use"', () => true);
      feed(observer, stream, pieceSize);
      expect(observer.result()).toEqual({ inputTokens: 2, outputTokens: 0 });
      // comments and lines without the marker are never decoded; CR before LF is dropped
      expect(tested).toEqual([
        ' {"use":1,"text":"é€😀"}',
        ' not json "use"',
        ' ["use"]',
        ' {"n":5,"use":"last line, no newline"}',
      ]);
      // lines that are not JSON objects are skipped, not thrown; the last line needs no newline
      expect(read).toEqual([
        { use: 1, text: 'é€😀' },
        { n: 5, use: 'last line, no newline' },
      ]);
    },
  );

  it('parses only the marked lines the finer test lets through', () => {
    const { observer, read } = recordingReader('"use"', (data) => data.includes('"n":5'));
    feed(observer, stream, 4);
    observer.result();
    expect(read).toEqual([{ n: 5, use: 'last line, no newline' }]);
  });

  it('finds a marker cut across chunks inside a long line', () => {
    const { observer, read } = recordingReader('"usage"');
    const line = `data: {"pad":"${'x'.repeat(5000)}","usage":{"n":1}}\n\n`;
    for (const size of [3, 64, 4096]) feed(observer, line, size);
    expect(observer.result()).toEqual({ inputTokens: 3, outputTokens: 0 });
    expect(read).toHaveLength(3);
  });
});
