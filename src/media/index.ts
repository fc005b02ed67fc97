/** The media core: locate FFmpeg, learn what it can do, and run typed operations on local files. */
export { locateMediaTools, type LocateOptions, type LocatedTools } from './ffmpeg-locator.js';
export { createMediaToolkit, type MediaCapabilities, type MediaToolkit } from './media-toolkit.js';
export type { MediaFacts } from './media-facts.js';
export type { LocalInput, MediaLimits, OperationOutput, OutputRole } from './operation.js';
export { isMediaOperationName, MEDIA_OPERATION_NAMES, type MediaOperationName } from './operation-names.js';
export { MEDIA_OPERATIONS } from './operations/index.js';
export { probeMedia } from './probe.js';
export {
  parseOperationOptions,
  runMediaOperation,
  type MediaOperationOutput,
  type MediaOperationResult,
  type RunMediaOperationRequest,
} from './run-operation.js';
export { timelineSchema, type Timeline } from './timeline-schema.js';
