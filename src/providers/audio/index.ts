export { pcmToWav, pcmSeconds, type PcmLayout } from './pcm-to-wav.js';
export { pcmLayoutFromMediaType } from './pcm-media-type.js';
export { speechMediaTypes } from './speech-media-types.js';
