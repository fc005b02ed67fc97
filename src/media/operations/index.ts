/** Every media operation by its API name (`POST /v1/media/{name}`). */
import { probe } from './probe.js';
import { transcode } from './transcode.js';

export const MEDIA_OPERATIONS = {
  probe,
  transcode,
} as const;

export type MediaOperationName = keyof typeof MEDIA_OPERATIONS;
