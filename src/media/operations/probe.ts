/** probe: facts about one input (streams, codecs, duration, size, frame rate, bit rates, loudness). */
import * as z from 'zod';
import { factsOf } from '../input-requirements.js';
import { defineOperation } from '../operation.js';

export const probeOptions = z.strictObject({
  /** Also measure EBU R128 loudness (decodes the whole audio track). */
  loudness: z.boolean().default(false),
});

export const probe = defineOperation({
  name: 'probe',
  schema: probeOptions,
  inputs: { min: 1, max: 1 },
  wantsLoudness: (options) => options.loudness,
  async execute(context) {
    return { outputs: [], result: { facts: factsOf(context.inputs[0], 'input') } };
  },
});
