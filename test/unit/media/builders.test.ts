/** Pure builders and validation, with a toolkit whose FFmpeg must never run. */
import { describe, expect, it } from 'vitest';
import { defaultLocateDependencies, locateMediaTools } from '../../../src/media/ffmpeg-locator.js';
import { createFfmpegRunner, type SpawnProcess } from '../../../src/media/ffmpeg-runner.js';
import type { MediaFacts } from '../../../src/media/media-facts.js';
import {
  parseCapabilityList,
  toolkitFrom,
  type MediaCapabilities,
} from '../../../src/media/media-toolkit.js';
import { assColor, forceStyle, burnSubtitlesOptions } from '../../../src/media/operations/burn-subtitles.js';
import { buildHlsArgs, defaultRenditions } from '../../../src/media/operations/hls.js';
import { parseLoudnormMeasurement } from '../../../src/media/operations/normalize-audio.js';
import { showinfoTime } from '../../../src/media/operations/scenes.js';
import { pickBest } from '../../../src/media/operations/thumbnails.js';
import {
  buildTranscodeArgs,
  planTranscode,
  transcodeOptions,
} from '../../../src/media/operations/transcode.js';
import { factsFromProbeJson, parseEbur128Summary } from '../../../src/media/probe.js';
import { runMediaOperation } from '../../../src/media/run-operation.js';
import { parseSubtitles, writeSrt } from '../../../src/media/subtitle-format.js';
import { compileTimeline } from '../../../src/media/timeline-compiler.js';
import { timelineSchema } from '../../../src/media/timeline-schema.js';

const spawnCalls: unknown[] = [];
const refusingSpawn: SpawnProcess = (...args) => {
  spawnCalls.push(args);
  throw new Error('FFmpeg must not run in these tests');
};

function fakeToolkit(overrides: Partial<MediaCapabilities> = {}) {
  return toolkitFrom(
    createFfmpegRunner({
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
      spawn: refusingSpawn,
    }),
    {
      ffmpeg: { path: '/usr/bin/ffmpeg', source: 'system' },
      ffprobe: { path: '/usr/bin/ffprobe', source: 'system' },
      version: '5.1',
      encoders: ['libx264', 'libx265', 'aac', 'libopus', 'libvpx-vp9', 'h264_nvenc'],
      filters: ['subtitles', 'drawtext'],
      hardwareEncoders: [],
      ...overrides,
    },
  );
}

const videoFacts: MediaFacts = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSeconds: 10,
  bytes: 1000,
  bitRate: 1000,
  isImage: false,
  video: { codec: 'h264', width: 1920, height: 1080, fps: 30, pixelFormat: 'yuv420p', bitRate: 1000 },
  audio: { codec: 'aac', sampleRate: 48000, channels: 2, channelLayout: 'stereo', bitRate: 128000 },
  subtitles: [],
  streamCount: 2,
};
const limits = { maxDurationSeconds: 60, maxPixels: 1920 * 1080, maxOutputBytes: 1e9, timeoutMs: 10_000 };

describe('transcode planning', () => {
  it('uses a working hardware encoder when present, software otherwise', () => {
    const options = transcodeOptions.parse({ preset: 'web', crf: 24 });
    const withGpu = fakeToolkit({
      hardwareEncoders: [{ encoder: 'h264_nvenc', codec: 'h264', family: 'nvenc' }],
    });
    const hardware = planTranscode(options, videoFacts, withGpu);
    expect(hardware.video).toEqual({ encoder: 'h264_nvenc', hardware: 'nvenc', codec: 'h264' });
    const args = buildTranscodeArgs(hardware, '/in/a.mp4', '/out/b.mp4');
    expect(args).toEqual(expect.arrayContaining(['-c:v', 'h264_nvenc', '-cq', '24']));
    expect(args.join(' ')).not.toContain('-crf');
    // Compiled in but not working on this machine: software.
    expect(planTranscode(options, videoFacts, fakeToolkit()).video).toEqual({
      encoder: 'libx264',
      codec: 'h264',
    });
    expect(
      planTranscode(transcodeOptions.parse({ preset: 'web', hardware: 'never' }), videoFacts, withGpu).video,
    ).toMatchObject({ encoder: 'libx264' });
  });

  it('mobile preset shrinks to 720p keeping the aspect ratio; never upscales', () => {
    expect(
      planTranscode(transcodeOptions.parse({ preset: 'mobile' }), videoFacts, fakeToolkit()).size,
    ).toEqual({ width: 1280, height: 720 });
    const small = {
      ...videoFacts,
      video: { ...(videoFacts.video as NonNullable<MediaFacts['video']>), width: 640, height: 360 },
    };
    expect(
      planTranscode(transcodeOptions.parse({ preset: 'web' }), small, fakeToolkit()).size,
    ).toBeUndefined();
  });

  it('says clearly when the build lacks an encoder', () => {
    expect(() =>
      planTranscode(transcodeOptions.parse({ format: 'mkv', video_codec: 'av1' }), videoFacts, fakeToolkit()),
    ).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_by_build', param: 'video_codec' }));
  });

  it('refuses resize with stream copy, and resolution together with width', () => {
    expect(() =>
      planTranscode(transcodeOptions.parse({ video_codec: 'copy', width: 640 }), videoFacts, fakeToolkit()),
    ).toThrow(/copy/u);
    expect(transcodeOptions.safeParse({ resolution: '720p', width: 640 }).success).toBe(false);
  });

  it('every input is opened under the file/pipe whitelist and demuxer allowlist', () => {
    const args = buildTranscodeArgs(
      planTranscode(transcodeOptions.parse({}), videoFacts, fakeToolkit()),
      '/in/a.mp4',
      '/out/b.mp4',
    );
    expect(args.slice(0, 6)).toEqual([
      '-protocol_whitelist',
      'file,pipe',
      '-format_whitelist',
      expect.not.stringContaining('hls'),
      '-i',
      '/in/a.mp4',
    ]);
    expect(args[3]).not.toContain('concat');
  });
});

describe('runMediaOperation validation (FFmpeg never runs)', () => {
  const toolkit = fakeToolkit();
  const run = (operation: string, options: unknown, facts: MediaFacts = videoFacts, inputs = 1) =>
    runMediaOperation(toolkit, {
      operation,
      inputs: Array.from({ length: inputs }, () => ({ path: '/data/in.mp4', facts })),
      options,
      workDir: '/tmp/none',
      limits,
    });

  it('names the offending option field', async () => {
    await expect(run('thumbnails', { count: 500 })).rejects.toMatchObject({
      status: 400,
      param: 'options.count',
    });
    await expect(
      run('compose', { tracks: [{ type: 'video', clips: [{ input: 0, start: -1, length: 1 }] }] }),
    ).rejects.toMatchObject({
      param: 'options.tracks.0.clips.0.start',
    });
    await expect(run('transcode', { colour: 'red' })).rejects.toMatchObject({
      status: 400,
      param: expect.stringMatching(/^options/u),
    });
  });

  it('refuses unknown operations and wrong input counts', async () => {
    await expect(run('explode', {})).rejects.toMatchObject({ status: 400, param: 'operation' });
    await expect(run('concat', {}, videoFacts, 1)).rejects.toMatchObject({ status: 400, param: 'input' });
  });

  it('enforces duration and resolution limits on inputs with 413s', async () => {
    await expect(run('transcode', {}, { ...videoFacts, durationSeconds: 3600 })).rejects.toMatchObject({
      status: 413,
      code: 'input_too_long',
    });
    const huge = {
      ...videoFacts,
      video: { ...(videoFacts.video as NonNullable<MediaFacts['video']>), width: 7680, height: 4320 },
    };
    await expect(run('transcode', {}, huge)).rejects.toMatchObject({
      status: 413,
      code: 'input_too_large',
      param: 'inputs[0]',
    });
  });

  it('enforces the pixel limit on requested outputs', async () => {
    await expect(run('transcode', { width: 3840, height: 2160 })).rejects.toMatchObject({
      status: 413,
      code: 'output_too_large',
    });
  });

  it('never spawned anything', () => {
    expect(spawnCalls).toEqual([]);
  });
});

describe('parsers', () => {
  it('ffprobe JSON → facts (images, attached pictures, N/A values)', () => {
    const facts = factsFromProbeJson(
      JSON.stringify({
        streams: [
          {
            codec_type: 'video',
            codec_name: 'mjpeg',
            width: 600,
            height: 600,
            disposition: { attached_pic: 1 },
          },
          { codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2, bit_rate: 'N/A' },
          { codec_type: 'subtitle', codec_name: 'subrip', tags: { language: 'fra' } },
        ],
        format: { format_name: 'mp3', duration: '12.5', size: '1000' },
      }),
    );
    expect(facts).toMatchObject({
      durationSeconds: 12.5,
      video: undefined,
      audio: { sampleRate: 44100, bitRate: undefined },
      subtitles: [{ index: 0, codec: 'subrip', language: 'fra' }],
    });
  });

  it('ebur128 summary, loudnorm JSON and showinfo lines', () => {
    expect(
      parseEbur128Summary(
        'Summary:\n\n  Integrated loudness:\n    I:         -23.1 LUFS\n  Loudness range:\n    LRA:         4.2 LU\n  True peak:\n    Peak:       -3.5 dBFS',
      ),
    ).toEqual({
      integratedLufs: -23.1,
      loudnessRangeLu: 4.2,
      truePeakDbtp: -3.5,
    });
    expect(
      parseLoudnormMeasurement(
        '[Parsed_loudnorm_0 @ 0x1]\n{\n "input_i" : "-27.61",\n "input_tp" : "-4.47",\n "input_lra" : "18.06",\n "input_thresh" : "-39.20",\n "target_offset" : "0.58"\n}',
      ),
    ).toMatchObject({ input_i: '-27.61' });
    expect(() =>
      parseLoudnormMeasurement(
        '{"input_i":"-inf","input_tp":"-inf","input_lra":"0","input_thresh":"-70","target_offset":"0"}',
      ),
    ).toThrow(expect.objectContaining({ status: 422 }));
    expect(showinfoTime('[Parsed_showinfo_1 @ 0x55] n:   0 pts:  25600 pts_time:1.04    duration:512')).toBe(
      1.04,
    );
    expect(showinfoTime('frame=  10 fps=0.0 q=-0.0 size=N/A time=00:00:01.00')).toBeUndefined();
  });

  it('capability lists skip the legend', () => {
    expect(
      parseCapabilityList(
        'Encoders:\n V..... = Video\n ------\n V....D libx264   libx264 H.264\n A..... aac   AAC\n',
      ),
    ).toEqual(['libx264', 'aac']);
    expect(
      parseCapabilityList(
        'Filters:\n  T.. = Timeline support\n ... abench   A->A  Benchmark\n TSC drawtext V->V Draw text\n',
      ),
    ).toEqual(['abench', 'drawtext']);
  });

  it('smart picking replaces an all-black group with the best usable frame elsewhere', () => {
    expect(pickBest(['a', 'b', 'c', 'd', 'e', 'f'], [1, 2, 1500, 1400, 1300, 1200], 2)).toEqual([
      'c',
      'd',
      'e',
    ]);
  });
});

describe('subtitles', () => {
  it('parses SRT, WebVTT and ASS into the same clean cues', () => {
    const srt = parseSubtitles(
      '1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nWorld\r\n',
      'f',
    );
    const vtt = parseSubtitles(
      'WEBVTT\n\nNOTE hi\n\n00:01.000 --> 00:02.500 align:start\n<v Bob>Hello\n\n00:03.000 --> 00:04.000\nWorld\n',
      'f',
    );
    const ass = parseSubtitles(
      '[Script Info]\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\b1}Hello\nDialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,World\n',
      'f',
    );
    const expected = [
      { start: 1, end: 2.5, text: 'Hello' },
      { start: 3, end: 4, text: 'World' },
    ];
    expect(srt).toEqual(expected);
    expect(vtt).toEqual(expected);
    expect(ass).toEqual(expected);
    expect(writeSrt(srt)).toBe(
      '1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n',
    );
  });

  it('refuses a file without cues', () => {
    expect(() => parseSubtitles('just some text', 'inputs[1]')).toThrow(
      expect.objectContaining({ status: 400, param: 'inputs[1]' }),
    );
  });

  it('styles become force_style from typed values', () => {
    expect(assColor('#ff8000')).toBe('&H000080FF');
    expect(assColor('#ff800080')).toBe('&H7F0080FF');
    expect(forceStyle(burnSubtitlesOptions.parse({ font: 'DejaVu Sans', position: 'top', bold: true }))).toBe(
      'FontName=DejaVu Sans,FontSize=18,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,Outline=1.5,BorderStyle=1,Bold=-1,Alignment=8,MarginV=16',
    );
  });
});

describe('hls and compose builders', () => {
  it('a default ladder never upscales', () => {
    expect(defaultRenditions(720).map((rendition) => rendition.height)).toEqual([720, 480, 360]);
    expect(defaultRenditions(120).map((rendition) => rendition.height)).toEqual([120, 60]);
    const args = buildHlsArgs(
      defaultRenditions(720),
      { path: '/in.mp4', hasAudio: true, fps: 25 },
      4,
      '/work',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '-var_stream_map',
        'v:0,a:0 v:1,a:1 v:2,a:2',
        '-hls_playlist_type',
        'vod',
        '-g',
        '100',
      ]),
    );
  });

  it('one input per clip, each seeked and cut; one graph', () => {
    const timeline = timelineSchema.parse({
      output: { width: 320, height: 180, fps: 25 },
      tracks: [
        {
          type: 'video',
          clips: [
            { input: 0, start: 0, length: 2, trim_start: 3 },
            { input: 0, start: 1.5, length: 2, transition: { type: 'crossfade', duration: 0.5 } },
          ],
        },
      ],
    });
    const compiled = compileTimeline(
      timeline,
      [{ path: '/in.mp4', kind: 'media', facts: videoFacts }],
      [],
      '/out.mp4',
    );
    expect(compiled.durationSeconds).toBe(3.5);
    const seeks = compiled.args.flatMap((argument, index) =>
      argument === '-ss' ? [compiled.args[index + 1]] : [],
    );
    expect(seeks).toEqual(['3.000', '0.000']);
    const graph = compiled.args[compiled.args.indexOf('-filter_complex') + 1] as string;
    expect(graph).toContain('xfade=transition=fade:duration=0.5:offset=1.500');
    expect(graph).toContain('anullsrc');
  });

  it('refuses a clip that runs past its input', () => {
    const timeline = timelineSchema.parse({
      tracks: [{ type: 'video', clips: [{ input: 0, start: 0, length: 5, trim_start: 8 }] }],
    });
    expect(() =>
      compileTimeline(timeline, [{ path: '/in.mp4', kind: 'media', facts: videoFacts }], [], '/out.mp4'),
    ).toThrow(expect.objectContaining({ param: 'options.tracks.0.clips.0.length' }));
  });
});

describe('locateMediaTools', () => {
  const executables = new Set(['/opt/ff/ffmpeg', '/usr/bin/ffprobe', '/npm/ffmpeg']);
  const dependencies = {
    isExecutable: async (path: string) => executables.has(path),
    packageBinary: (name: string) => (name === '@ffmpeg-installer/ffmpeg' ? '/npm/ffmpeg' : undefined),
  };

  it('prefers the configured path, then the system, then npm', async () => {
    expect(await locateMediaTools({ ffmpegPath: '/opt/ff/ffmpeg' }, dependencies)).toEqual({
      ffmpeg: { path: '/opt/ff/ffmpeg', source: 'configured' },
      ffprobe: { path: '/usr/bin/ffprobe', source: 'system' },
    });
    expect((await locateMediaTools({}, dependencies)).ffmpeg).toEqual({ path: '/npm/ffmpeg', source: 'npm' });
  });

  it('fails clearly when a configured path is wrong or nothing is found', async () => {
    await expect(locateMediaTools({ ffmpegPath: '/nope' }, dependencies)).rejects.toMatchObject({
      status: 503,
    });
    await expect(
      locateMediaTools({}, { isExecutable: async () => false, packageBinary: () => undefined }),
    ).rejects.toThrow(/No ffmpeg found/u);
  });

  it('finds the npm fallback package on this machine when there is no system binary', async () => {
    const located = await locateMediaTools(
      {},
      {
        isExecutable: async (path) =>
          !path.startsWith('/usr/') && (await defaultLocateDependencies.isExecutable(path)),
        packageBinary: defaultLocateDependencies.packageBinary,
      },
    );
    expect(located.ffmpeg).toMatchObject({
      source: 'npm',
      path: expect.stringContaining('@ffmpeg-installer'),
    });
    expect(located.ffprobe).toMatchObject({
      source: 'npm',
      path: expect.stringContaining('@ffprobe-installer'),
    });
  });
});
