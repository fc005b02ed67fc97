/**
 * A corpus of SSRF and injection attempts. Every one must be refused with a 4xx (or, for text that is
 * legitimately allowed, neutralised — asserted on the built arguments), and none may reach FFmpeg: the
 * media toolkit here runs on a spawn that records every call.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtelierError } from '../../../src/errors/index.js';
import { createFfmpegRunner, type SpawnProcess } from '../../../src/media/ffmpeg-runner.js';
import type { MediaCapabilities } from '../../../src/media/media-toolkit.js';
import { toolkitFrom } from '../../../src/media/media-toolkit.js';
import { buildFilterGraph, filterOptions } from '../../../src/media/operations/filter.js';
import { runMediaOperation } from '../../../src/media/run-operation.js';
import { parseSubtitles, writeSrt } from '../../../src/media/subtitle-format.js';
import { safeDownload } from '../../../src/security/safe-fetch.js';
import {
  assertFetchableUrl,
  createGuardedDispatcher,
  type GuardedDispatcher,
  type HostResolver,
} from '../../../src/security/ssrf-guard.js';

const spawnCalls: string[][] = [];
const recordingSpawn: SpawnProcess = (command, args) => {
  spawnCalls.push([command, ...args]);
  throw new Error('FFmpeg must not be reached by this attempt');
};
const capabilities: MediaCapabilities = {
  ffmpeg: { path: '/usr/bin/ffmpeg', source: 'system' },
  ffprobe: { path: '/usr/bin/ffprobe', source: 'system' },
  version: 'test',
  encoders: ['libx264', 'aac'],
  filters: ['drawtext', 'subtitles', 'overlay'],
  hardwareEncoders: [],
};
const toolkit = toolkitFrom(
  createFfmpegRunner({
    ffmpegPath: '/usr/bin/ffmpeg',
    ffprobePath: '/usr/bin/ffprobe',
    spawn: recordingSpawn,
  }),
  capabilities,
);
const limits = { maxDurationSeconds: 60, maxPixels: 1920 * 1080, maxOutputBytes: 1e8, timeoutMs: 10_000 };

/** Fake DNS: names that look public resolve wherever the attacker wants. */
const fakeDns: HostResolver = async (hostname) => {
  const answers: Record<string, string[]> = {
    'metadata.google.internal': ['169.254.169.254'],
    'rebind.example': ['10.0.0.5'],
    'mixed.example': ['93.184.216.34', '127.0.0.1'],
    'v6-local.example': ['::1'],
    'mapped.example': ['::ffff:192.168.0.10'],
    'nat64.example': ['64:ff9b::a9fe:a9fe'],
    'cgnat.example': ['100.64.1.1'],
  };
  const addresses = answers[hostname] ?? ['93.184.216.34'];
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

function expectRefused(error: unknown): void {
  expect(error).toBeInstanceOf(AtelierError);
  const atelierError = error as AtelierError;
  expect(atelierError.status).toBeGreaterThanOrEqual(400);
  expect(atelierError.status).toBeLessThan(500);
}

async function refusal(attempt: () => unknown): Promise<AtelierError> {
  try {
    await attempt();
  } catch (error) {
    expectRefused(error);
    return error as AtelierError;
  }
  throw new Error('The attempt was not refused');
}

describe('SSRF corpus: URLs refused before any connection', () => {
  const urls = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://0x7f000001/',
    'http://127.1/',
    'http://017700000001/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[ff02::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://app.localhost/',
    'http://0.0.0.0/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'file:///etc/passwd',
    'ftp://example.com/file',
    'gopher://example.com:70/_payload',
    'data:text/plain;base64,aGVsbG8=',
    'concat:/etc/passwd|/etc/hosts',
    'subfile:,,start,0,end,0,,:/etc/passwd',
    'http://user:secret@example.com/',
    'http://example.com\\@127.0.0.1/',
    'http://exa\tmple.com/',
    'http://127.0.0.1%2e/',
    'javascript:alert(1)',
  ];

  it.each(urls)('refuses %s with a 400 url_forbidden', (url) => {
    try {
      assertFetchableUrl(url);
      expect.unreachable(`${url} was accepted`);
    } catch (error) {
      expectRefused(error);
      expect(error).toMatchObject({ status: 400, code: 'url_forbidden', param: 'url' });
    }
  });

  it('has at least 30 URL attempts', () => {
    expect(urls.length).toBeGreaterThanOrEqual(30);
  });
});

describe('SSRF corpus: names that resolve to private addresses, checked at connect time', () => {
  const dispatcher = createGuardedDispatcher({ resolve: fakeDns, connectTimeoutMs: 2000 });
  afterAll(() => dispatcher.close());

  it.each([
    'metadata.google.internal',
    'rebind.example',
    'mixed.example',
    'v6-local.example',
    'mapped.example',
    'nat64.example',
    'cgnat.example',
  ])('refuses http://%s/ after resolving it', async (host) => {
    // metadata.google.internal is also refused by name; the others only by their DNS answer.
    const error = await refusal(() =>
      safeDownload(`http://${host}/x`, {
        dispatcher,
        maxBytes: 1000,
        timeoutMs: 2000,
        destinationPath: join(tmpdir(), 'never'),
      }),
    );
    expect(error.code).toBe('url_forbidden');
  });

  it('refuses a literal private address at the socket even when a caller skips assertFetchableUrl', async () => {
    const error = await refusal(() =>
      dispatcher.request({ origin: 'http://127.0.0.1:9', path: '/', method: 'GET' }),
    );
    expect(error.code).toBe('url_forbidden');
  });
});

/** Sends requests for http://public.example to a local fake; everything else through the real guard. */
class PublicLookingFake extends Dispatcher implements GuardedDispatcher {
  readonly allowPrivateHosts = false;
  private readonly direct = new Agent();

  constructor(
    private readonly fakeOrigin: string,
    private readonly guarded: GuardedDispatcher,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (String(options.origin) === 'http://public.example') {
      return this.direct.dispatch({ ...options, origin: this.fakeOrigin }, handler);
    }
    return this.guarded.dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.direct.close(), this.guarded.close()]);
  }
}

describe('SSRF corpus: redirects from a public-looking host to private ones', () => {
  let server: Server;
  let origin: string;
  let dispatcher: PublicLookingFake;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      const url = new URL(request.url ?? '/', 'http://fake');
      if (url.pathname === '/redirect') {
        response.statusCode = 302;
        response.setHeader('location', url.searchParams.get('to') ?? '/');
        response.end();
      } else {
        response.end('secret');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dispatcher = new PublicLookingFake(
      origin,
      createGuardedDispatcher({ resolve: fakeDns, connectTimeoutMs: 2000 }),
    );
  });

  afterAll(async () => {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads from the public-looking host itself (the fake works)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'atelier-ssrf-'));
    const result = await safeDownload('http://public.example/file', {
      dispatcher,
      maxBytes: 100,
      timeoutMs: 2000,
      destinationPath: join(directory, 'file'),
    });
    expect(result.bytes).toBe(6);
    await rm(directory, { recursive: true, force: true });
  });

  it.each([
    () => `${origin}/secret`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://[::ffff:127.0.0.1]/secret',
    () => 'http://metadata.google.internal/',
    () => 'http://rebind.example/secret',
    () => 'http://0x7f.1/secret',
    () => 'file:///etc/passwd',
    () => 'gopher://127.0.0.1:6379/_FLUSHALL',
  ])('refuses redirect #%# and never reaches the private target', async (target) => {
    const before = hits.filter((hit) => hit === '/secret').length;
    const error = await refusal(() =>
      safeDownload(`http://public.example/redirect?to=${encodeURIComponent(target())}`, {
        dispatcher,
        maxBytes: 100,
        timeoutMs: 2000,
        destinationPath: join(tmpdir(), 'never'),
      }),
    );
    expect(error.code).toBe('url_forbidden');
    expect(hits.filter((hit) => hit === '/secret').length).toBe(before);
  });
});

describe('Injection corpus: media inputs and options never reach FFmpeg', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'atelier-injection-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
    expect(spawnCalls).toEqual([]);
  });

  const run = (operation: string, inputs: string[], options: unknown) =>
    runMediaOperation(toolkit, {
      operation,
      inputs: inputs.map((path) => ({ path })),
      options,
      workDir: directory,
      limits,
    });

  it('refuses an HLS playlist input that points at local files', async () => {
    const playlist = join(directory, 'upload-1');
    await writeFile(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
    );
    const error = await refusal(() => run('probe', [playlist], {}));
    expect(error).toMatchObject({ status: 400, code: 'unsupported_input', param: 'inputs[0]' });
  });

  it('refuses a playlist hidden behind a byte-order mark and blank lines', async () => {
    const playlist = join(directory, 'upload-2');
    await writeFile(playlist, '\uFEFF\n\n  #EXTM3U\n/etc/passwd\n');
    await refusal(() => run('transcode', [playlist], {}));
  });

  it('refuses an ffconcat script input', async () => {
    const script = join(directory, 'upload-3');
    await writeFile(script, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    await refusal(() => run('probe', [script], {}));
  });

  it.each([
    'concat:/etc/passwd|/etc/hosts',
    'subfile:,,start,0,end,0,,:/etc/passwd',
    'file:/etc/passwd',
    'http://169.254.169.254/',
    'relative/path.mp4',
  ])('refuses the input path %s', async (path) => {
    const error = await refusal(() => run('probe', [path], {}));
    expect(error.param).toBe('inputs[0]');
  });

  it.each([
    ['filter', { filters: [{ type: 'movie', filename: '/etc/passwd' }] }],
    ['filter', { filters: [{ type: 'brightness', value: 0.1, expr: 'movie=/etc/passwd' }] }],
    ['filter', { filters: [{ type: 'text', text: 'hi', textfile: '/etc/passwd' }] }],
    ['filter', { filters: [{ type: 'text', text: 'hi', font: "Sans',movie=/etc/passwd" }] }],
    ['filter', { filters: [{ type: 'text', text: 'hi', color: "#fff';amovie=/dev/urandom" }] }],
    ['burn-subtitles', { font: 'Arial,movie=/etc/passwd' }],
    ['burn-subtitles', { color: 'white:force_style=x' }],
    ['transcode', { format: 'm3u8' }],
    ['transcode', { bitrate: '1M -i /etc/passwd' }],
    [
      'compose',
      {
        tracks: [{ type: 'video', clips: [{ input: 0, start: 0, length: 1, filter: 'movie=/etc/passwd' }] }],
      },
    ],
  ])('refuses %s options %j naming the field', async (operation, options) => {
    const error = await refusal(() =>
      run(
        operation,
        ['/nonexistent.mp4', '/nonexistent.srt'].slice(0, operation === 'burn-subtitles' ? 2 : 1),
        options,
      ),
    );
    expect(error.param).toMatch(/^options/u);
  });

  it('neutralises movie=/textfile= smuggled into overlay text: the text only ever goes to a file', () => {
    const options = filterOptions.parse({
      filters: [{ type: 'text', text: "x'[in];movie=/etc/passwd[out];[in]textfile=/etc/shadow,%{pts}" }],
    });
    const graph = buildFilterGraph(options.filters, ['/work/text-0.txt'], 160);
    expect(graph).not.toContain('movie');
    expect(graph).not.toContain('/etc/');
    expect(graph).toContain('textfile=/work/text-0.txt');
    expect(graph).toContain('expansion=none');
    expect(filterNames(graph)).toEqual(['drawtext', 'format']);
  });

  it('strips override tags and markup from user subtitle files before libass sees them', () => {
    const cues = parseSubtitles(
      '[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n' +
        'Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,{\\fnmovie=/etc/passwd\\pos(1,1)}Hello, <b>there</b>\\Nfriend\n',
      'inputs[1]',
    );
    const srt = writeSrt(cues);
    expect(srt).toBe('1\n00:00:00,000 --> 00:00:01,000\nHello, there\nfriend\n');
  });
});

/** Filter names of a graph, splitting on unescaped `;` and `,` and dropping [labels]. */
function filterNames(graph: string): string[] {
  const names: string[] = [];
  let token = '';
  for (let index = 0; index < graph.length; index += 1) {
    const character = graph[index] as string;
    if (character === '\\') {
      token += character + (graph[index + 1] ?? '');
      index += 1;
    } else if (character === ';' || character === ',') {
      names.push(token);
      token = '';
    } else {
      token += character;
    }
  }
  names.push(token);
  return names.map((item) => item.replace(/\[[^\]]*\]/gu, '').split('=')[0] as string);
}
