/**
 * The media operations by their API name (`POST /v1/media/{name}`). Routes and job handlers know them from
 * this list alone; the operations themselves (option schemas, FFmpeg steps) are imported on first use.
 */
export const MEDIA_OPERATION_NAMES = [
  'probe',
  'transcode',
  'thumbnails',
  'scenes',
  'trim',
  'concat',
  'extract-audio',
  'normalize-audio',
  'mix-audio',
  'burn-subtitles',
  'extract-subtitles',
  'filter',
  'compose',
  'hls',
] as const;

export type MediaOperationName = (typeof MEDIA_OPERATION_NAMES)[number];

export function isMediaOperationName(name: string): name is MediaOperationName {
  return (MEDIA_OPERATION_NAMES as readonly string[]).includes(name);
}
