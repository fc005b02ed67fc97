import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { AtelierError } from '../../../../src/errors/index.js';
import type { FfmpegRunner, ToolRunRequest } from '../../../../src/media/ffmpeg-runner.js';
import { createDraftProvider, type DraftDependencies } from '../../../../src/providers/draft/index.js';
import {
  findEspeak,
  parseVoices,
  type EspeakProcesses,
} from '../../../../src/providers/draft/draft-espeak.js';
import type { MediaCallOptions, SpeechRequest } from '../../../../src/providers/media-spec.js';

const dispatcher = new Agent();
afterAll(() => dispatcher.close());

const espeakInstalled = spawnSync('espeak-ng', ['--version']).status === 0;
if (!espeakInstalled) console.warn('SKIPPING real espeak-ng speech tests: espeak-ng is not installed');

const directory = () => mkdtempSync(join(tmpdir(), 'draft-speech-'));

/** Every espeak-ng spawn, recorded, then run for real. */
function recordingProcesses() {
  const spawned: Array<{ command: string; args: readonly string[] }> = [];
  const processes: EspeakProcesses = {
    spawnSync,
    spawn(command, args, options) {
      spawned.push({ command, args });
      return spawn(command, args, options);
    },
  };
  return { spawned, processes };
}

function build(dependencies: DraftDependencies = {}, dataDir = directory()) {
  return createDraftProvider(
    { id: 'draft', baseURL: 'draft://local', dataDir, dispatcher, timeoutMs: 1_000 },
    dependencies,
  );
}

function call(): MediaCallOptions {
  return { credential: { id: 'none', apiKey: '' }, signal: new AbortController().signal };
}

function speech(overrides: Partial<SpeechRequest> = {}): SpeechRequest {
  return {
    model: 'draft-speech',
    input: 'Hello from the draft provider.',
    voice: 'en',
    format: 'wav',
    ...overrides,
  };
}

function probe(data: Buffer) {
  const path = join(directory(), 'probe.bin');
  writeFileSync(path, data);
  const result = spawnSync(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(result.stdout) as {
    streams: Array<{ codec_name: string; sample_rate: string; channels: number }>;
    format: { duration: string; format_name: string; size: string };
  };
}

describe.skipIf(!espeakInstalled)('draft speech with espeak-ng', () => {
  it('speaks a sentence as a WAV whose header tells the truth, passing text on stdin', async () => {
    const { spawned, processes } = recordingProcesses();
    const provider = build({ findSpeechEngine: (path) => findEspeak(path, processes) });
    const input = 'A short sentence; $(touch /tmp/never) && "quotes" `too`.';
    const result = await provider.speech!.synthesize(speech({ input, speed: 2 }), call());

    expect(spawned).toEqual([
      { command: 'espeak-ng', args: ['--stdin', '--stdout', '-v', 'en', '-s', '350'] },
    ]);
    expect(result.mediaType).toBe('audio/wav');
    expect(result.warnings).toBeUndefined();
    const wav = result.audio;
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    const facts = probe(wav);
    expect(facts.streams[0]!.codec_name).toBe('pcm_s16le');
    expect(Number(facts.format.duration)).toBeGreaterThan(0.3);
  });

  it('converts to mp3 and raw pcm with FFmpeg', async () => {
    const provider = build();
    const mp3 = await provider.speech!.synthesize(speech({ format: 'mp3' }), call());
    expect(mp3.mediaType).toBe('audio/mpeg');
    const facts = probe(mp3.audio);
    expect(facts.format.format_name).toBe('mp3');
    expect(facts.streams[0]!.codec_name).toBe('mp3');
    expect(Number(facts.format.duration)).toBeGreaterThan(0.3);

    const pcm = await provider.speech!.synthesize(speech({ format: 'pcm' }), call());
    expect(pcm.mediaType).toBe('audio/pcm;rate=24000');
    expect(pcm.audio.toString('ascii', 0, 4)).not.toBe('RIFF');
    // 16-bit mono at 24 kHz: well over 0.3 s of samples.
    expect(pcm.audio.length % 2).toBe(0);
    expect(pcm.audio.length).toBeGreaterThan(0.3 * 24_000 * 2);
  });

  it('uses espeak voice names, and falls back to en with warnings for others', async () => {
    const { spawned, processes } = recordingProcesses();
    const provider = build({ findSpeechEngine: (path) => findEspeak(path, processes) });
    await provider.speech!.synthesize(speech({ voice: 'FR' }), call());
    const fallback = await provider.speech!.synthesize(
      speech({ voice: 'alloy', instructions: 'cheerful' }),
      call(),
    );
    expect(spawned.map((entry) => entry.args[3])).toEqual(['fr', 'en']);
    expect(fallback.warnings).toEqual([
      "Draft speech uses espeak-ng voices; 'alloy' is not one, so 'en' was used.",
      'Draft speech ignores instructions.',
    ]);
  });
});

describe('draft speech without espeak-ng, and its FFmpeg seam', () => {
  it('offers no speech when espeak-ng is absent', () => {
    const looked: string[] = [];
    const provider = build({
      findSpeechEngine: (path) => {
        looked.push(path);
        return undefined;
      },
    });
    expect(provider.speech).toBeUndefined();
    expect(provider.image).toBeDefined();
    expect(looked).toEqual(['espeak-ng']);
    expect(findEspeak('/nonexistent/espeak-ng')).toBeUndefined();
  });

  it('looks for the configured espeak_path', () => {
    const looked: string[] = [];
    createDraftProvider(
      {
        id: 'draft',
        baseURL: 'draft://local',
        dispatcher,
        timeoutMs: 1_000,
        options: { espeak_path: '/opt/espeak/bin/espeak-ng' },
      },
      { findSpeechEngine: (path) => (looked.push(path), undefined) },
    );
    expect(looked).toEqual(['/opt/espeak/bin/espeak-ng']);
  });

  it('reads voice names from the --voices listing', () => {
    const voices = parseVoices(
      'Pty Language       Age/Gender VoiceName          File                 Other Languages\n' +
        ' 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)\n' +
        ' 5  fr-fr           --/M      French             roa/fr               (fr 5)\n',
    );
    expect([...voices].sort()).toEqual(['en', 'en-gb', 'fr', 'fr-fr']);
  });

  it('converts through the injected runner, and reports its failure as ours', async () => {
    const wav = Buffer.alloc(44 + 100);
    wav.write('RIFF', 0, 'ascii');
    wav.write('WAVEfmt ', 8, 'ascii');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(22_050, 24);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36, 'ascii');
    wav.writeUInt32LE(0x7ffff000, 40);
    const requests: ToolRunRequest[] = [];
    const runner: FfmpegRunner = {
      async ffmpeg(request) {
        requests.push(request);
        throw new AtelierError('FFmpeg exited with code 1: Unknown encoder', {
          status: 422,
          kind: 'invalid_request',
          code: 'media_processing_failed',
        });
      },
      ffprobe: () => Promise.reject(new Error('not used')),
    };
    const provider = build({
      ffmpeg: runner,
      findSpeechEngine: () => ({ voices: new Set(['en']), speak: async () => wav }),
    });
    const error = await provider
      .speech!.synthesize(speech({ format: 'opus' }), call())
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AtelierError);
    expect(error).toMatchObject({ status: 500, code: 'ffmpeg_failed' });
    const args = requests[0]!.args;
    expect(args.slice(0, 5)).toEqual(['-v', 'error', '-protocol_whitelist', 'file,pipe', '-i']);
    expect(args[5]).toMatch(/draft[/\\]speech[/\\][0-9a-f-]{36}\.wav$/);
    expect(args.slice(6)).toEqual([
      '-c:a',
      'libopus',
      '-b:a',
      '48k',
      '-ar',
      '24000',
      '-f',
      'ogg',
      args[5]!.replace(/\.wav$/, '.out'),
    ]);
  });
});
