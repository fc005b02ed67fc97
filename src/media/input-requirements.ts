/** Checks that an operation's inputs carry what it needs, as 400s that name the input. */
import { InvalidRequestError } from '../errors/index.js';
import type { AudioFacts, MediaFacts, VideoFacts } from './media-facts.js';
import type { ProbedInput } from './operation.js';

export function factsOf(input: ProbedInput | undefined, param: string): MediaFacts {
  if (input?.facts === undefined) throw new InvalidRequestError('This input must be a media file.', param);
  return input.facts;
}

export function videoOf(input: ProbedInput | undefined, param: string): VideoFacts {
  const video = factsOf(input, param).video;
  if (video === undefined)
    throw new InvalidRequestError('This input has no video stream.', param, 'no_video_stream');
  return video;
}

export function audioOf(input: ProbedInput | undefined, param: string): AudioFacts {
  const audio = factsOf(input, param).audio;
  if (audio === undefined)
    throw new InvalidRequestError('This input has no audio stream.', param, 'no_audio_stream');
  return audio;
}

export function durationOf(input: ProbedInput | undefined, param: string): number {
  const duration = factsOf(input, param).durationSeconds;
  if (duration === undefined || duration <= 0) {
    throw new InvalidRequestError(
      'The length of this input could not be determined.',
      param,
      'unknown_duration',
    );
  }
  return duration;
}

export function inputAt(inputs: ProbedInput[], index: number, param: string): ProbedInput {
  const input = inputs[index];
  if (input === undefined) throw new InvalidRequestError('This input is missing.', param);
  return input;
}
