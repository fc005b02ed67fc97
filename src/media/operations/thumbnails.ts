/**
 * thumbnails: `count` stills, spaced uniformly or chosen smartly (no black, blank or blurred frames),
 * optionally tiled into one sprite sheet.
 */
import { rename } from 'node:fs/promises';
import * as z from 'zod';
import { buildFrameGrabArgs, uniformTimes, type FrameGrab } from '../frame-grabber.js';
import { factsOf, videoOf, inputAt } from '../input-requirements.js';
import { defineOperation, type OperationOutput } from '../operation.js';

export const thumbnailsOptions = z.strictObject({
  count: z.number().int().min(1).max(50).default(5),
  method: z.enum(['uniform', 'smart']).default('uniform'),
  width: z.number().int().min(16).max(1920).default(320),
  format: z.enum(['jpg', 'png']).default('jpg'),
  /** Also tile the thumbnails into one image, `columns` wide (default: a near-square grid). */
  sprite: z.union([z.boolean(), z.strictObject({ columns: z.number().int().min(1).max(50) })]).default(false),
});

/** How many candidates smart mode looks at for each thumbnail it keeps. */
const CANDIDATES_PER_THUMBNAIL = 3;

export interface FrameScore {
  /** Mean brightness 0–255. */
  brightness: number;
  /** sharp's Laplacian-based estimate: higher is crisper. */
  sharpness: number;
  /** Spread of brightness: near zero means a flat, blank frame. */
  contrast: number;
}

export async function scoreFrame(path: string): Promise<FrameScore> {
  const { default: sharp } = await import('sharp');
  const stats = await sharp(path).stats();
  const channels = stats.channels.slice(0, 3);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    brightness: mean(channels.map((channel) => channel.mean)),
    contrast: mean(channels.map((channel) => channel.stdev)),
    sharpness: stats.sharpness,
  };
}

/** Quality at or above this means the frame is usable. */
const USABLE = 1_000;

/** A frame worth showing: not (nearly) black, white or flat. Among those, sharper is better. */
export function frameQuality(score: FrameScore): number {
  const usable = score.brightness > 24 && score.brightness < 235 && score.contrast > 6;
  return (usable ? USABLE : 0) + score.sharpness;
}

/**
 * Pick one candidate per group of `perGroup` consecutive candidates: the group's best if it is usable,
 * else the best usable candidate anywhere not yet taken (a black opening should not cost a thumbnail).
 * Returned in time order.
 */
export function pickBest<T>(candidates: T[], qualities: number[], perGroup: number): T[] {
  const quality = (index: number) => qualities[index] ?? 0;
  const taken = new Set<number>();
  const groups = Math.ceil(candidates.length / perGroup);
  for (let group = 0; group < groups; group += 1) {
    const members = Array.from({ length: perGroup }, (_, offset) => group * perGroup + offset).filter(
      (index) => index < candidates.length && !taken.has(index),
    );
    if (members.length === 0) continue;
    let best = members.reduce((left, right) => (quality(right) > quality(left) ? right : left));
    if (quality(best) < USABLE) {
      const elsewhere = candidates
        .map((_, index) => index)
        .filter((index) => !taken.has(index) && !members.includes(index) && quality(index) >= USABLE)
        .sort((left, right) => quality(right) - quality(left))[0];
      if (elsewhere !== undefined) best = elsewhere;
    }
    taken.add(best);
  }
  return [...taken].sort((left, right) => left - right).map((index) => candidates[index] as T);
}

export async function buildSprite(paths: string[], columns: number, outputPath: string) {
  const { default: sharp } = await import('sharp');
  const { width = 1, height = 1 } = await sharp(paths[0]).metadata();
  const rows = Math.ceil(paths.length / columns);
  await sharp({
    create: { width: width * columns, height: height * rows, channels: 3, background: '#000000' },
  })
    .composite(
      paths.map((path, index) => ({
        input: path,
        left: (index % columns) * width,
        top: Math.floor(index / columns) * height,
      })),
    )
    .jpeg({ quality: 85 })
    .toFile(outputPath);
  return { columns, rows, tile_width: width, tile_height: height };
}

export const thumbnails = defineOperation({
  name: 'thumbnails',
  schema: thumbnailsOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const { options } = context;
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const video = videoOf(input, 'input');
    const width = Math.min(options.width, video.width);
    const perThumbnail = options.method === 'smart' ? CANDIDATES_PER_THUMBNAIL : 1;
    const times = uniformTimes(facts.durationSeconds, options.count * perThumbnail);
    const grabs: FrameGrab[] = times.map((seconds, index) => ({
      seconds,
      outputPath: context.pathFor(`candidate-${String(index).padStart(3, '0')}.${options.format}`),
    }));
    await context.ffmpeg({ args: buildFrameGrabArgs(input.path, grabs, width), span: [0, 0.8] });

    let chosen = grabs;
    if (options.method === 'smart') {
      const qualities = await Promise.all(
        grabs.map(async (grab) => frameQuality(await scoreFrame(grab.outputPath))),
      );
      chosen = pickBest(grabs, qualities, perThumbnail);
    }
    const outputs: OperationOutput[] = [];
    const mimeType = options.format === 'png' ? 'image/png' : 'image/jpeg';
    for (const [index, grab] of chosen.entries()) {
      const path = context.pathFor(`thumbnail-${String(index + 1).padStart(3, '0')}.${options.format}`);
      await rename(grab.outputPath, path);
      outputs.push({
        path,
        mimeType,
        role: 'thumbnail',
        facts: { seconds: Number(grab.seconds.toFixed(3)) },
      });
    }
    const result: Record<string, unknown> = {
      timestamps: chosen.map((grab) => Number(grab.seconds.toFixed(3))),
    };
    if (options.sprite !== false) {
      const columns =
        options.sprite === true
          ? Math.ceil(Math.sqrt(outputs.length))
          : Math.min(options.sprite.columns, outputs.length);
      const spritePath = context.pathFor('sprite.jpg');
      result.sprite = await buildSprite(
        outputs.map((output) => output.path),
        columns,
        spritePath,
      );
      outputs.push({ path: spritePath, mimeType: 'image/jpeg', role: 'sprite' });
    }
    return { outputs, result };
  },
});
