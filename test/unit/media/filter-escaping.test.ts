import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chain,
  escapeGraphLevel,
  escapeOptionLevel,
  filter,
  filterValue,
} from '../../../src/media/filter-escaping.js';
import { createFfmpegRunner } from '../../../src/media/ffmpeg-runner.js';
import { drawtextFilter, textStyleSchema } from '../../../src/media/text-overlay.js';
import { FFMPEG, FFPROBE } from '../../media-fixtures/media-fixtures.js';

describe('filter escaping', () => {
  it('escapes option-level specials: backslash, quote, colon, whitespace', () => {
    expect(escapeOptionLevel("a\\b'c:d e\nf")).toBe("a\\\\b\\'c\\:d\\ e\\\nf");
  });

  it('escapes graph-level specials: backslash, quote, brackets, comma, semicolon', () => {
    expect(escapeGraphLevel("[a],b;c'd\\")).toBe("\\[a\\]\\,b\\;c\\'d\\\\");
  });

  it('escapes both levels for a value, leaving % and = inert as plain characters', () => {
    expect(filterValue("it's 100%: [x],y;z")).toBe("it\\\\\\'s\\\\\\ 100%\\\\:\\\\\\ \\[x\\]\\,y\\;z");
    expect(filterValue('movie=/etc/passwd')).toBe('movie=/etc/passwd');
  });

  it('builds filters only from a name and typed options', () => {
    expect(filter('scale', { w: 320, h: -2, flags: undefined })).toBe('scale=w=320:h=-2');
    expect(filter('select', { expr: 'gt(scene,0.3)' })).toBe('select=expr=gt(scene\\,0.3)');
    expect(() => filter('scale,movie', {})).toThrow(/Not a filter name/u);
    expect(() => chain(['0:v]movie=x[a'], [], ['out'])).toThrow(/Not a stream label/u);
  });

  it('drawtext reads the text from our file with expansion off', () => {
    const style = textStyleSchema.parse({ font: 'DejaVu Sans', color: '#ff000080', position: 'top-left' });
    const built = drawtextFilter(style, '/work/caption-0.txt', { start: 1, end: 2 });
    expect(built).toContain('textfile=/work/caption-0.txt');
    expect(built).toContain('expansion=none');
    expect(built).toContain('font=DejaVu\\\\\\ Sans');
    expect(built).toContain('fontcolor=0xFF0000@0.502');
    expect(built).toContain('enable=between(t\\,1\\,2)');
  });
});

describe('escaping round-trips through the real FFmpeg parser', () => {
  let directory: string;
  const runner = createFfmpegRunner({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
  // A directory name with every character that matters to the filter syntax.
  const hostile = "it's [a],b;c:d\\e %f g";

  beforeAll(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'atelier-escape-')), hostile);
    await mkdir(directory);
    await writeFile(join(directory, 'cues.srt'), '1\n00:00:00,000 --> 00:00:01,000\nHi\n');
    await writeFile(join(directory, 'text.txt'), "it's 100%: [x],y;z\nnext");
  });
  afterAll(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  it('a subtitles path full of specials reaches libass intact', async () => {
    const graph = [
      filter('color', { s: '160x120', d: 0.2 }),
      filter('subtitles', { filename: join(directory, 'cues.srt') }),
    ].join(',');
    await expect(
      runner.ffmpeg({ args: ['-filter_complex', graph, '-f', 'null', '-'] }),
    ).resolves.toBeDefined();
  });

  it('a drawtext textfile path full of specials reaches drawtext intact', async () => {
    const style = textStyleSchema.parse({});
    const graph = [
      filter('color', { s: '160x120', d: 0.2 }),
      drawtextFilter(style, join(directory, 'text.txt')),
    ].join(',');
    await expect(
      runner.ffmpeg({ args: ['-filter_complex', graph, '-f', 'null', '-'] }),
    ).resolves.toBeDefined();
  });

  it('an unescaped path with the same characters is rejected by FFmpeg (the test is meaningful)', async () => {
    const graph = `color=s=160x120:d=0.2,subtitles=filename=${join(directory, 'cues.srt')}`;
    await expect(
      runner.ffmpeg({ args: ['-filter_complex', graph, '-f', 'null', '-'] }),
    ).rejects.toMatchObject({ status: 422 });
  });
});
