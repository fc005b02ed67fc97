/** scenes: scene-change times (select on the scene score, read back from showinfo) and a still per scene. */
import * as z from 'zod';
import { filter } from '../filter-escaping.js';
import { buildFrameGrabArgs } from '../frame-grabber.js';
import { durationOf, videoOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { defineOperation, type OperationOutput } from '../operation.js';

export const scenesOptions = z.strictObject({
  /** Scene score (0–1) above which a frame starts a new scene; lower finds more cuts. */
  threshold: z.number().min(0.01).max(0.99).default(0.3),
  thumbnails: z.boolean().default(true),
  thumbnail_width: z.number().int().min(16).max(1920).default(320),
});

export function buildSceneDetectionArgs(inputPath: string, threshold: number): string[] {
  const graph = [filter('select', { expr: `gt(scene,${threshold})` }), filter('showinfo')].join(',');
  return [...inputArgs(inputPath), '-map', '0:v:0', '-an', '-sn', '-vf', graph, '-f', 'null', '-'];
}

/** The time of a frame showinfo reports, from a line like `[Parsed_showinfo_1 @ …] n: 0 pts: 1 pts_time:1.04 …`. */
export function showinfoTime(line: string): number | undefined {
  if (!line.includes('showinfo')) return undefined;
  const match = /pts_time:\s*(-?[\d.]+)/u.exec(line);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export const scenes = defineOperation({
  name: 'scenes',
  schema: scenesOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const { options } = context;
    const input = inputAt(context.inputs, 0, 'input');
    const duration = durationOf(input, 'input');
    const video = videoOf(input, 'input');
    const cuts: number[] = [];
    await context.ffmpeg({
      args: buildSceneDetectionArgs(input.path, options.threshold),
      durationSeconds: duration,
      span: [0, options.thumbnails ? 0.8 : 1],
      onStderrLine: (line) => {
        const time = showinfoTime(line);
        if (time !== undefined && time > 0) cuts.push(time);
      },
    });
    const starts = [0, ...cuts];
    const sceneList = starts.map((start, index) => ({
      index,
      start: Number(start.toFixed(3)),
      end: Number((starts[index + 1] ?? duration).toFixed(3)),
    }));
    const outputs: OperationOutput[] = [];
    if (options.thumbnails) {
      const grabs = sceneList.map((scene) => ({
        seconds: (scene.start + scene.end) / 2,
        outputPath: context.pathFor(`scene-${String(scene.index + 1).padStart(3, '0')}.jpg`),
      }));
      await context.ffmpeg({
        args: buildFrameGrabArgs(input.path, grabs, Math.min(options.thumbnail_width, video.width)),
        span: [0.8, 1],
      });
      for (const [index, grab] of grabs.entries()) {
        outputs.push({
          path: grab.outputPath,
          mimeType: 'image/jpeg',
          role: 'thumbnail',
          facts: { scene: index },
        });
      }
    }
    return { outputs, result: { cuts: cuts.map((time) => Number(time.toFixed(3))), scenes: sceneList } };
  },
});
