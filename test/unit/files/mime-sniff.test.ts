/** Type sniffing from content alone: magic numbers, then text formats, then text, else bytes. */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ContentSniffer, sniffedHeadBytes } from '../../../src/files/content-sniffer.js';
import { sniffMimeType } from '../../../src/files/mime-sniff.js';
import { makeMp4, makePng, makeWav } from './media-fixtures.js';

async function sniff(chunks: Buffer[]): Promise<string> {
  const sniffer = new ContentSniffer();
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(Readable.from(chunks), sniffer, sink);
  return sniffMimeType(sniffer.observation());
}

const text = (value: string) => [Buffer.from(value, 'utf8')];

describe('sniffMimeType', () => {
  it('recognises media by magic numbers', async () => {
    expect(await sniff([await makePng()])).toBe('image/png');
    expect(await sniff([await makeMp4()])).toBe('video/mp4');
    expect(await sniff([makeWav()])).toBe('audio/wav');
  });

  it('recognises a PNG whose first bytes arrive one at a time', async () => {
    const png = await makePng();
    const chunks = [...Array.from(png.subarray(0, 64), (byte) => Buffer.of(byte)), png.subarray(64)];
    expect(await sniff(chunks)).toBe('image/png');
  });

  it('tells SRT, WebVTT and JSON apart by content', async () => {
    expect(
      await sniff(text('1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n')),
    ).toBe('application/x-subrip');
    expect(await sniff(text('\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\nWith a BOM and CRLF\r\n'))).toBe(
      'application/x-subrip',
    );
    expect(await sniff(text('WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n'))).toBe('text/vtt');
    expect(await sniff(text('WEBVTT - a title\n\n'))).toBe('text/vtt');
    expect(await sniff(text('  {"prompt": "a cat", "seed": 7}\n'))).toBe('application/json');
    expect(await sniff(text('[1, 2, 3]'))).toBe('application/json');
  });

  it('takes a long document that opens and closes like JSON as JSON', async () => {
    const items = Array.from({ length: 2000 }, (_, index) => ({ index, label: `item ${index}` }));
    const json = Buffer.from(JSON.stringify(items, null, 2));
    expect(json.length).toBeGreaterThan(sniffedHeadBytes);
    expect(await sniff([json.subarray(0, 5000), json.subarray(5000)])).toBe('application/json');
  });

  it('falls back to text/plain for other UTF-8 text, markup included', async () => {
    expect(await sniff(text('just some notes\nwith ünïcödé ✓\n'))).toBe('text/plain');
    expect(await sniff(text('{"broken": json'))).toBe('text/plain');
    expect(await sniff(text('<!doctype html><html><script>alert(1)</script></html>'))).toBe('text/plain');
    expect(await sniff(text('WEBVTTX not a caption file'))).toBe('text/plain');
  });

  it('keeps text whose multi-byte characters straddle chunks', async () => {
    const encoded = Buffer.from('ab€cd', 'utf8'); // € is three bytes at offsets 2..4
    expect(await sniff([encoded.subarray(0, 3), encoded.subarray(3)])).toBe('text/plain');
  });

  it('calls anything else opaque bytes', async () => {
    expect(await sniff([Buffer.from([0x61, 0x62, 0xff, 0xfe, 0x63])])).toBe('application/octet-stream');
    expect(await sniff(text('text with a\u0000NUL byte'))).toBe('application/octet-stream');
    expect(await sniff([Buffer.from('ends mid-character '), Buffer.from([0xe2, 0x82])])).toBe(
      'application/octet-stream',
    );
    expect(await sniff([])).toBe('application/octet-stream');
    // Random bytes that happen to start like text are still caught further in.
    expect(await sniff([Buffer.from('hello '.repeat(1000)), randomBytes(2000)])).toBe(
      'application/octet-stream',
    );
  });
});
