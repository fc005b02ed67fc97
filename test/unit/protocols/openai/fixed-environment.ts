import type { EncoderEnvironment } from '../../../../src/protocols/openai/index.js';

/** A clock at 2024-01-01T00:00:00Z and numbered ids, so encoded output can be compared exactly. */
export function fixedEnvironment(): EncoderEnvironment {
  let next = 0;
  return { now: () => 1_704_067_200_000, newId: () => `chatcmpl-generated${++next}` };
}

export const fixedCreated = 1_704_067_200;
