/**
 * How FFmpeg opens an input: only as a local file, only through the demuxers listed here. Playlist and
 * script demuxers (hls, concat, sdp, …) can reach other files or the network, so they are not listed, and
 * a quick look at the first bytes refuses such files with a clear message before FFmpeg ever sees them.
 */
import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { InvalidRequestError } from '../errors/index.js';
import { PROTOCOL_WHITELIST } from './ffmpeg-runner.js';

export const DEMUXER_WHITELIST = [
  'mov',
  'matroska',
  'avi',
  'flv',
  'mpegts',
  'mp3',
  'aac',
  'wav',
  'ogg',
  'flac',
  'gif',
  'image2',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'bmp_pipe',
].join(',');

/** `-i path` for a local file we wrote, with the protocol and demuxer whitelists in front. */
export function inputArgs(path: string, options: string[] = []): string[] {
  return [
    '-protocol_whitelist',
    PROTOCOL_WHITELIST,
    '-format_whitelist',
    DEMUXER_WHITELIST,
    ...options,
    '-i',
    path,
  ];
}

const SCRIPT_SIGNATURES = ['#EXTM3U', '#EXT-X-', 'ffconcat', 'file ', 'v=0', '<?xml', '<smil', '[playlist]'];

/**
 * Inputs are files Atelier wrote, named by absolute paths. Anything else (a URL, `concat:…`, `subfile:…`,
 * a relative path) is refused here, before FFmpeg could read it as a protocol.
 */
export function assertLocalPath(path: string, param: string): void {
  if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) {
    throw new InvalidRequestError('Inputs must be files stored by Atelier.', param, 'unsupported_input');
  }
}

/** Refuse files that are text playlists or scripts rather than media. */
export async function assertMediaFile(path: string, param: string): Promise<void> {
  assertLocalPath(path, param);
  const handle = await open(path, 'r').catch(() => {
    throw new InvalidRequestError('This input file could not be read.', param, 'input_unreadable');
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1024), 0, 1024, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/u, '')
      .trimStart()
      .toLowerCase();
    if (
      SCRIPT_SIGNATURES.some((signature) => head.startsWith(signature.toLowerCase())) ||
      head.includes('#ext-x-')
    ) {
      throw new InvalidRequestError(
        'This input is a playlist or script, not a media file; upload the media itself.',
        param,
        'unsupported_input',
      );
    }
  } finally {
    await handle.close();
  }
}
