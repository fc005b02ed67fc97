/**
 * Draft videos: `start` only writes down what to make (in the operation id), `status` completes a fixed
 * time later with a rising fraction, and `download` renders the card with a slow zoom through FFmpeg
 * (H.264, yuv420p, +faststart) into a cache under the data directory, reused by later downloads.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError } from '../../errors/index.js';
import { PROTOCOL_WHITELIST } from '../../media/ffmpeg-runner.js';
import type { MediaCallOptions, VideoCapability, VideoRequest, VideoStatus } from '../media-spec.js';
import { hashOf, renderCard, seedFromPrompt } from './draft-card.js';
import { runDraftFfmpeg, type DraftFfmpeg } from './draft-ffmpeg.js';
import { checkRange, checkSize } from './draft-limits.js';
import { decodeOperation, encodeOperation, type OperationFacts } from './draft-operation.js';
import { isRefused, refusalMessage } from './draft-policy.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface DraftVideoContext {
  /** Scratch directory: draft/frames/ (first frames) and draft/videos/ (rendered files). */
  directory: string;
  generationMs: number;
  now: () => number;
  ffmpeg: DraftFfmpeg;
}

/** The card shows at most this much of the prompt; the id need not carry more. */
const promptLimit = 400;
/** Zoom reached at the last frame. */
const finalZoom = 1.12;

export function createDraftVideo(context: DraftVideoContext): VideoCapability {
  const rendering = new Map<string, Promise<string>>();

  function status(operationId: string): VideoStatus {
    const facts = decodeOperation(operationId);
    if (facts.refused) return { status: 'failed', kind: 'content_policy', message: refusalMessage };
    const now = context.now();
    if (now < facts.readyAt) {
      const fraction = Math.max(0, (now - facts.startedAt) / (facts.readyAt - facts.startedAt));
      return { status: 'pending', fraction, message: `Rendering draft ${Math.floor(fraction * 100)}%` };
    }
    return {
      status: 'completed',
      videos: [
        {
          index: 0,
          mediaType: 'video/mp4',
          seconds: facts.seconds,
          size: { width: facts.width, height: facts.height },
        },
      ],
      metadata: { draft: true, seed: facts.seed },
    };
  }

  /** The rendered file's path; concurrent downloads of one video share one render. */
  function rendered(facts: OperationFacts, signal: CancelSignal): Promise<string> {
    const { startedAt: _startedAt, readyAt: _readyAt, ...what } = facts;
    const key = hashOf(JSON.stringify(what)).toString('hex').slice(0, 32);
    let pending = rendering.get(key);
    if (!pending) {
      pending = renderOnce(context, facts, key, signal).finally(() => rendering.delete(key));
      rendering.set(key, pending);
    }
    return pending;
  }

  return {
    supports: { textToVideo: true, firstFrame: true, lastFrame: false, referenceImages: false },
    pollIntervalMs: 200,

    async start(request: VideoRequest, _options: MediaCallOptions) {
      const size = checkSize(request.size, { width: 1280, height: 720 }, true);
      const seconds = checkRange(request.seconds, 4, 'seconds', 0.5, 60);
      const fps = Math.round(checkRange(request.fps, 24, 'fps', 1, 60));
      const startedAt = context.now();
      const warnings: string[] = [];
      if (request.lastFrame) warnings.push('Draft videos ignore the last frame.');
      if (request.referenceImages?.length) warnings.push('Draft videos ignore reference images.');
      const facts: OperationFacts = {
        version: 1,
        prompt: request.prompt.slice(0, promptLimit),
        seed: request.seed ?? seedFromPrompt(request.prompt),
        ...size,
        seconds,
        fps,
        startedAt,
        readyAt: startedAt + context.generationMs,
        ...(request.firstFrame
          ? { frame: await storeFrame(context.directory, request.firstFrame.data) }
          : {}),
        ...(isRefused(request.prompt) ? { refused: true } : {}),
      };
      return { operationId: encodeOperation(facts), ...(warnings.length > 0 ? { warnings } : {}) };
    },

    status: async (operationId) => status(operationId),

    async download(operationId: string, index: number, options: MediaCallOptions) {
      const current = status(operationId);
      if (current.status !== 'completed' || index !== 0) {
        throw new InvalidRequestError(
          current.status === 'completed'
            ? `Draft operations have one video (index 0), not ${index}.`
            : `The draft video is ${current.status}, there is nothing to download.`,
          'id',
          'video_not_ready',
        );
      }
      const path = await rendered(decodeOperation(operationId), options.signal);
      return { body: createReadStream(path), mediaType: 'video/mp4' };
    },
  };
}

/** Normalised to PNG and named by content, so the same frame is stored once. */
async function storeFrame(directory: string, data: Buffer): Promise<string> {
  let png: Buffer;
  try {
    const { default: sharp } = await import('sharp');
    png = await sharp(data).rotate().png().toBuffer();
  } catch {
    throw new InvalidRequestError('The first frame is not an image sharp can read.', 'input_reference');
  }
  const hash = createHash('sha256').update(png).digest('hex').slice(0, 32);
  const frames = join(directory, 'frames');
  await mkdir(frames, { recursive: true });
  await writeFile(join(frames, `${hash}.png`), png);
  return hash;
}

async function renderOnce(
  context: DraftVideoContext,
  facts: OperationFacts,
  key: string,
  signal: CancelSignal,
): Promise<string> {
  const videos = join(context.directory, 'videos');
  const target = join(videos, `${key}.mp4`);
  if (await exists(target)) return target;
  await mkdir(videos, { recursive: true });
  const work = join(videos, `.${key}-${randomUUID()}`);
  const background = facts.frame
    ? await readFile(join(context.directory, 'frames', `${facts.frame}.png`)).catch(() => undefined)
    : undefined;
  // Drawn at twice the size so the zoom moves by sub-pixels instead of jumping a pixel at a time.
  const card = await renderCard({
    prompt: facts.prompt,
    seed: facts.seed,
    index: 0,
    width: facts.width * 2,
    height: facts.height * 2,
    ...(background ? { background } : {}),
  });
  try {
    await writeFile(`${work}.png`, await card.png().toBuffer());
    await runDraftFfmpeg(context.ffmpeg, ffmpegArguments(facts, `${work}.png`, `${work}.mp4`), signal);
    // Atomic: a reader sees the whole file or none.
    await rename(`${work}.mp4`, target);
    return target;
  } finally {
    await rm(`${work}.png`, { force: true });
    await rm(`${work}.mp4`, { force: true });
  }
}

export function ffmpegArguments(facts: OperationFacts, input: string, output: string): string[] {
  const frames = Math.max(1, Math.round(facts.seconds * facts.fps));
  const step = (finalZoom - 1) / Math.max(1, frames - 1);
  const zoom = [
    `zoompan=z='1+${step.toFixed(6)}*on'`,
    `x='iw/2-(iw/zoom/2)'`,
    `y='ih/2-(ih/zoom/2)'`,
    `d=${frames}`,
    `s=${facts.width}x${facts.height}`,
    `fps=${facts.fps}`,
  ].join(':');
  // The media core's runner adds -hide_banner, -nostdin, -y and progress reporting.
  return [
    '-v',
    'error',
    '-protocol_whitelist',
    PROTOCOL_WHITELIST,
    '-i',
    input,
    '-vf',
    `${zoom},format=yuv420p`,
    '-frames:v',
    String(frames),
    '-r',
    String(facts.fps),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    output,
  ];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
