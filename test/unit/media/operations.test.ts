/**
 * Every operation on real FFmpeg with generated inputs, each output checked independently with ffprobe
 * (and sharp / ebur128 where the claim is about pixels or loudness).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FFMPEG,
  ffprobeJson,
  measureLufs,
  PLANTED_CUTS,
  runTool,
} from '../../media-fixtures/media-fixtures.js';
import { createMediaTestKit, type MediaTestKit } from './media-test-kit.js';

let kit: MediaTestKit;
beforeAll(async () => {
  kit = await createMediaTestKit();
});
afterAll(async () => {
  await kit.fixtures.cleanUp();
});

const FRAME = 1 / 25;

function primaryPath(result: { outputs: Array<{ role: string; path: string }> }): string {
  const primary = result.outputs.find((output) => output.role === 'primary');
  if (!primary) throw new Error('no primary output');
  return primary.path;
}

describe('probe', () => {
  it('reports streams, size, frame rate and loudness on request', async () => {
    const { result, outputs } = await kit.run('probe', ['video.mp4'], { loudness: true });
    expect(outputs).toEqual([]);
    expect(result.facts).toMatchObject({
      isImage: false,
      video: { codec: 'h264', width: 160, height: 120, fps: 25 },
      audio: { codec: 'aac', sampleRate: 48000, channels: 1 },
      loudness: { integratedLufs: expect.any(Number) },
    });
    expect((result.facts as { durationSeconds: number }).durationSeconds).toBeCloseTo(2, 1);
  });

  it('names the bad option field', async () => {
    await expect(kit.run('probe', ['video.mp4'], { loudness: 'yes' })).rejects.toMatchObject({
      status: 400,
      param: 'options.loudness',
    });
  });
});

describe('transcode', () => {
  it('web preset: h264/aac mp4, same duration within a frame', async () => {
    const result = await kit.run('transcode', ['video.mp4'], { preset: 'web' });
    const probe = await ffprobeJson(primaryPath(result));
    expect(probe.streams.map((stream) => stream.codec_name)).toEqual(['h264', 'aac']);
    expect(Math.abs(Number(probe.format.duration) - 2)).toBeLessThanOrEqual(FRAME + 0.03);
    expect(result.outputs[0]).toMatchObject({
      mimeType: 'video/mp4',
      role: 'primary',
      bytes: expect.any(Number),
    });
  });

  it('webm with vp9/opus at a requested width keeps the aspect ratio', async () => {
    const result = await kit.run('transcode', ['video.mp4'], { format: 'webm', width: 96 });
    const probe = await ffprobeJson(primaryPath(result));
    const video = probe.streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({ codec_name: 'vp9', width: 96, height: 72 });
    expect(probe.streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('opus');
  });

  it('audio-only formats drop the picture; gif drops the sound', async () => {
    const mp3 = await ffprobeJson(primaryPath(await kit.run('transcode', ['video.mp4'], { format: 'mp3' })));
    expect(mp3.streams.map((stream) => stream.codec_name)).toEqual(['mp3']);
    const gif = await ffprobeJson(primaryPath(await kit.run('transcode', ['video.mp4'], { preset: 'gif' })));
    expect(gif.streams).toHaveLength(1);
    expect(gif.streams[0]).toMatchObject({ codec_name: 'gif', width: 160 });
  });

  it('refuses a codec the container cannot hold, naming the field', async () => {
    await expect(
      kit.run('transcode', ['video.mp4'], { format: 'webm', video_codec: 'h264' }),
    ).rejects.toMatchObject({
      status: 400,
      param: 'video_codec',
    });
  });
});

describe('thumbnails', () => {
  it('smart mode avoids the black opening; sprite tiles them', async () => {
    const result = await kit.run('thumbnails', ['black-start.mp4'], {
      count: 3,
      method: 'smart',
      sprite: true,
    });
    const thumbnails = result.outputs.filter((output) => output.role === 'thumbnail');
    expect(thumbnails).toHaveLength(3);
    for (const thumbnail of thumbnails) {
      const stats = await sharp(thumbnail.path).stats();
      const brightness = stats.channels.slice(0, 3).reduce((sum, channel) => sum + channel.mean, 0) / 3;
      expect(brightness).toBeGreaterThan(30);
    }
    const sprite = result.outputs.find((output) => output.role === 'sprite');
    const metadata = await sharp(sprite?.path).metadata();
    expect(metadata).toMatchObject({ width: 320, height: 240 });
    expect(result.result.sprite).toEqual({ columns: 2, rows: 2, tile_width: 160, tile_height: 120 });
  });

  it('uniform mode spaces frames evenly at the requested width', async () => {
    const result = await kit.run('thumbnails', ['video.mp4'], { count: 4, width: 80, format: 'png' });
    expect(result.result.timestamps).toEqual([0.25, 0.75, 1.25, 1.75]);
    const metadata = await sharp(result.outputs[0]?.path).metadata();
    expect(metadata).toMatchObject({ width: 80, height: 60, format: 'png' });
  });
});

describe('scenes', () => {
  it('finds the planted cuts within a frame, with a still per scene', async () => {
    const result = await kit.run('scenes', ['scenes.mp4'], { threshold: 0.3 });
    const cuts = result.result.cuts as number[];
    expect(cuts).toHaveLength(PLANTED_CUTS.length);
    cuts.forEach((cut, index) =>
      expect(Math.abs(cut - (PLANTED_CUTS[index] as number))).toBeLessThanOrEqual(FRAME),
    );
    expect(result.outputs.filter((output) => output.role === 'thumbnail')).toHaveLength(3);
  });
});

describe('trim, concat, extract-audio', () => {
  it('trims to the requested length within a frame', async () => {
    const result = await kit.run('trim', ['video.mp4'], { start: 0.5, end: 1.5 });
    const probe = await ffprobeJson(primaryPath(result));
    expect(Math.abs(Number(probe.format.duration) - 1)).toBeLessThanOrEqual(FRAME + 0.03);
  });

  it('concat normalises mixed sizes, rates and a silent input', async () => {
    // video.mp4: 160x120 25 fps with sound; silent.mp4: 320x240 30 fps without.
    const result = await kit.run('concat', ['video.mp4', 'silent.mp4'], {});
    const probe = await ffprobeJson(primaryPath(result));
    const video = probe.streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({ width: 160, height: 120 });
    expect(probe.streams.find((stream) => stream.codec_type === 'audio')).toBeDefined();
    expect(Math.abs(Number(probe.format.duration) - 3)).toBeLessThanOrEqual(0.1);
  });

  it('extracts the audio track', async () => {
    const result = await kit.run('extract-audio', ['video.mp4'], { format: 'wav' });
    const probe = await ffprobeJson(primaryPath(result));
    expect(probe.streams.map((stream) => stream.codec_name)).toEqual(['pcm_s16le']);
  });
});

describe('audio', () => {
  it('normalize-audio reaches the target within 1 LU (re-measured independently)', async () => {
    const result = await kit.run('normalize-audio', ['tone.wav'], { target_lufs: -16 });
    expect(Math.abs((await measureLufs(primaryPath(result))) - -16)).toBeLessThanOrEqual(1);
    expect(result.result.measured).toMatchObject({ integrated_lufs: expect.any(Number) });
  });

  it('mix-audio ducks music under voice', async () => {
    const ducked = await kit.run('mix-audio', ['voice.wav', 'music.wav'], {
      tracks: [{ role: 'voice' }, { role: 'music' }],
      ducking: { threshold: 0.01, ratio: 20 },
    });
    const plain = await kit.run('mix-audio', ['voice.wav', 'music.wav'], {
      tracks: [{ role: 'voice' }, { role: 'music' }],
      ducking: false,
    });
    const probe = await ffprobeJson(primaryPath(ducked));
    expect(probe.streams[0]).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
    // With the music pushed down under the voice, the mix is quieter overall.
    expect(await measureLufs(primaryPath(ducked))).toBeLessThan((await measureLufs(primaryPath(plain))) - 3);
  });
});

describe('subtitles', () => {
  it('burned subtitles change the pixels in the subtitle region', async () => {
    const burned = await kit.run('burn-subtitles', ['video.mp4', 'subtitles.srt'], {
      size: 28,
      color: '#ffff00',
    });
    const plain = await kit.run('transcode', ['video.mp4'], { format: 'mp4', crf: 20 }); // same encoder settings
    const grayFrame = async (path: string) => {
      const framePath = `${path}.gray`;
      await runTool(FFMPEG, [
        '-v',
        'error',
        '-ss',
        '0.5',
        '-i',
        path,
        '-frames:v',
        '1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        framePath,
      ]);
      return readFile(framePath);
    };
    const bottomThird = (pixels: Buffer) => pixels.subarray(80 * 160, 120 * 160);
    const topThird = (pixels: Buffer) => pixels.subarray(0, 40 * 160);
    const difference = (left: Buffer, right: Buffer) =>
      left.reduce((sum, value, index) => sum + Math.abs(value - (right[index] ?? 0)), 0) / left.length;
    const [withText, without] = [await grayFrame(primaryPath(burned)), await grayFrame(primaryPath(plain))];
    // Both are re-encodes, so everything differs a little; the subtitle region differs a lot more.
    const bottom = difference(bottomThird(withText), bottomThird(without));
    const top = difference(topThird(withText), topThird(without));
    expect(bottom).toBeGreaterThan(3 * top);
    expect(bottom).toBeGreaterThan(2);
  });

  it('extracts a subtitle track as WebVTT', async () => {
    const result = await kit.run('extract-subtitles', ['with-subtitles.mkv'], { format: 'vtt' });
    const text = await readFile(result.outputs[0]?.path ?? '', 'utf8');
    expect(text).toContain('WEBVTT');
    expect(text).toContain('Hello, world');
  });
});

describe('filter', () => {
  it('applies typed filters, a watermark and text with special characters', async () => {
    const result = await kit.run('filter', ['video.mp4', 'logo.png'], {
      filters: [
        { type: 'brightness', value: 0.1 },
        { type: 'watermark' },
        { type: 'text', text: "It's 100% [fun]: a,b;c\\d\nline 2 %{pts}" },
        { type: 'rotate', degrees: 90 },
      ],
    });
    const probe = await ffprobeJson(primaryPath(result));
    expect(probe.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 120,
      height: 160,
    });
    const written = await readFile(join(result.workDir, 'text-2.txt'), 'utf8');
    expect(written).toBe("It's 100% [fun]: a,b;c\\d\nline 2 %{pts}");
  });
});

describe('compose', () => {
  it('renders a timeline of the planned duration with an audio track', async () => {
    const result = await kit.run('compose', ['video.mp4', 'image.png', 'voice.wav', 'music.wav'], {
      output: { width: 160, height: 90, fps: 25 },
      tracks: [
        {
          type: 'video',
          clips: [
            { input: 0, start: 0, length: 2 },
            { input: 1, start: 1.5, length: 2, zoom: {}, transition: { type: 'crossfade', duration: 0.5 } },
          ],
        },
        {
          type: 'video',
          clips: [
            { input: 1, start: 0.5, length: 1, fit: 'contain', transition: { type: 'fade', duration: 0.2 } },
          ],
        },
        { type: 'text', clips: [{ text: 'Title: hello, world', start: 0, length: 2, size: 12 }] },
        { type: 'audio', role: 'narration', clips: [{ input: 2, start: 0.5 }] },
        { type: 'audio', role: 'music', clips: [{ input: 3, start: 0, fade_out: 1 }] },
      ],
    });
    expect(result.result.duration).toBe(3.5);
    const probe = await ffprobeJson(primaryPath(result));
    expect(Math.abs(Number(probe.format.duration) - 3.5)).toBeLessThanOrEqual(FRAME + 0.03);
    expect(probe.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 160,
      height: 90,
    });
    expect(probe.streams.find((stream) => stream.codec_type === 'audio')).toBeDefined();
  });

  it('refuses a crossfade that does not overlap its predecessor, naming the clip', async () => {
    await expect(
      kit.run('compose', ['video.mp4'], {
        tracks: [
          {
            type: 'video',
            clips: [
              { input: 0, start: 0, length: 1 },
              { input: 0, start: 1, length: 1, transition: { type: 'crossfade', duration: 0.5 } },
            ],
          },
        ],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'options.tracks.0.clips.1.start' });
  });
});

describe('hls', () => {
  it('writes a master playlist over renditions that each end and have segments', async () => {
    const result = await kit.run('hls', ['video.mp4'], { segment_seconds: 1 });
    const master = await readFile(join(result.workDir, 'master.m3u8'), 'utf8');
    expect(master.startsWith('#EXTM3U')).toBe(true);
    expect(master.match(/#EXT-X-STREAM-INF/gu)).toHaveLength(2);
    const files = await readdir(result.workDir);
    for (const variant of ['stream_0.m3u8', 'stream_1.m3u8']) {
      expect(master).toContain(variant);
      const playlist = await readFile(join(result.workDir, variant), 'utf8');
      expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      expect(playlist).toContain('#EXT-X-ENDLIST');
      for (const segment of playlist.split('\n').filter((line) => line.endsWith('.ts')))
        expect(files).toContain(segment);
    }
    expect(result.outputs.filter((output) => output.role === 'segment').length).toBeGreaterThanOrEqual(4);
  });
});
