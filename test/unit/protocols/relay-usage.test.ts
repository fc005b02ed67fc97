import { describe, expect, it } from 'vitest';
import { observeStreamUsage } from '../../../src/protocols/relay-usage.js';

/** A reader that records what the scanner showed it and parsed for it. */
function recordingReader(test: (data: string, event: string) => boolean) {
  const tested: Array<{ data: string; event: string }> = [];
  const read: Array<{ payload: Record<string, unknown>; event: string }> = [];
  const observer = observeStreamUsage({
    mayCarryUsage(data, event) {
      tested.push({ data, event });
      return test(data, event);
    },
    read(payload, event) {
      read.push({ payload, event });
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
  ': keep-alive comment\n' +
  'event: first\r\ndata: {"n":1,"text":"é€😀"}\r\n\r\n' +
  'data: {"n":2}\n\n' +
  'event: third\ndata: not json\n\n' +
  'data: [1,2]\n\n' +
  'data: {"n":5}';

describe('observeStreamUsage', () => {
  it.each([1, 2, 5, 1000])(
    'hands each data line and its event to the reader, split every %i bytes',
    (pieceSize) => {
      const { observer, tested, read } = recordingReader(() => true);
      feed(observer, stream, pieceSize);
      expect(observer.result()).toEqual({ inputTokens: 3, outputTokens: 0 });
      expect(tested).toEqual([
        { data: ' {"n":1,"text":"é€😀"}', event: 'first' },
        // a blank line ends the event, so its name does not leak into the next one
        { data: ' {"n":2}', event: '' },
        { data: ' not json', event: 'third' },
        { data: ' [1,2]', event: '' },
        // the last line needs no newline: result() flushes it
        { data: ' {"n":5}', event: '' },
      ]);
      // lines that are not JSON objects are skipped, not thrown
      expect(read).toEqual([
        { payload: { n: 1, text: 'é€😀' }, event: 'first' },
        { payload: { n: 2 }, event: '' },
        { payload: { n: 5 }, event: '' },
      ]);
    },
  );

  it('parses only the lines the cheap test lets through', () => {
    const { observer, read } = recordingReader((data) => data.includes('"n":2'));
    feed(observer, stream, 7);
    observer.result();
    expect(read).toEqual([{ payload: { n: 2 }, event: '' }]);
  });
});
