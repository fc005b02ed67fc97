/** Every media operation by its API name (`POST /v1/media/{name}`). */
import type { MediaOperation } from '../operation.js';
import type { MediaOperationName } from '../operation-names.js';
import { burnSubtitles } from './burn-subtitles.js';
import { compose } from './compose.js';
import { concat } from './concat.js';
import { extractAudio } from './extract-audio.js';
import { extractSubtitles } from './extract-subtitles.js';
import { filterOperation } from './filter.js';
import { hls } from './hls.js';
import { mixAudio } from './mix-audio.js';
import { normalizeAudio } from './normalize-audio.js';
import { probe } from './probe.js';
import { scenes } from './scenes.js';
import { thumbnails } from './thumbnails.js';
import { transcode } from './transcode.js';
import { trim } from './trim.js';

export const MEDIA_OPERATIONS = {
  probe,
  transcode,
  thumbnails,
  scenes,
  trim,
  concat,
  'extract-audio': extractAudio,
  'normalize-audio': normalizeAudio,
  'mix-audio': mixAudio,
  'burn-subtitles': burnSubtitles,
  'extract-subtitles': extractSubtitles,
  filter: filterOperation,
  compose,
  hls,
} as const satisfies Record<MediaOperationName, MediaOperation>;
