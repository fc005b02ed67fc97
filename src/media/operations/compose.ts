/** compose: a JSON timeline (see timeline-schema.ts and docs/media.md) rendered to one film. */
import { InvalidRequestError } from '../../errors/index.js';
import { FORMATS } from '../media-formats.js';
import { defineOperation } from '../operation.js';
import { compileTimeline, timelineDuration } from '../timeline-compiler.js';
import { timelineSchema } from '../timeline-schema.js';

export const compose = defineOperation({
  name: 'compose',
  schema: timelineSchema,
  inputs: { min: 0, max: 100 },
  async execute(context) {
    const timeline = context.options;
    const { width, height, format } = timeline.output;
    context.assertPixels(width, height, 'output.width');
    const total = timelineDuration(timeline, context.inputs);
    if (total <= 0) throw new InvalidRequestError('The timeline is empty.', 'options.tracks');
    if (total > context.limits.maxDurationSeconds) {
      throw new InvalidRequestError(
        `The timeline lasts ${total.toFixed(1)} s; the limit is ${context.limits.maxDurationSeconds} s.`,
        'options.output.duration',
      );
    }
    const textFiles: string[] = [];
    for (const track of timeline.tracks) {
      if (track.type !== 'text') continue;
      context.toolkit.requireFilter('drawtext', 'options.tracks');
      for (const clip of track.clips)
        textFiles.push(await context.writeFile(`caption-${textFiles.length}.txt`, clip.text));
    }
    const outputPath = context.pathFor(`output.${format}`);
    const compiled = compileTimeline(timeline, context.inputs, textFiles, outputPath);
    await context.ffmpeg({ args: compiled.args, durationSeconds: compiled.durationSeconds });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[format].mimeType, role: 'primary' }],
      result: {
        duration: Number(compiled.durationSeconds.toFixed(3)),
        width,
        height,
        fps: timeline.output.fps,
      },
    };
  },
});
