/** A synthetic MP4 made by FFmpeg from its lavfi test sources, for benchmarks that need a real media file. */
import { spawnSync } from 'node:child_process';

/**
 * Write `file`: H.264 test pattern of `size` at `rate` fps for `seconds`; with `audio`, an AAC 440 Hz tone
 * (at `audio.sampleRate` when given); `preset` is x264's; `faststart` moves the index to the front.
 */
export function makeTestClip(file, { size, rate, seconds, audio, preset, faststart = false }) {
  const tone = audio && `sine=frequency=440${audio.sampleRate ? `:sample_rate=${audio.sampleRate}` : ''}`;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
    ...(tone ? ['-f', 'lavfi', '-i', `${tone}:duration=${seconds}`] : []),
    '-c:v',
    'libx264',
    ...(preset ? ['-preset', preset] : []),
    '-pix_fmt',
    'yuv420p',
    ...(tone ? ['-c:a', 'aac', '-shortest'] : []),
    ...(faststart ? ['-movflags', '+faststart'] : []),
    file,
  ];
  const result = spawnSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`ffmpeg could not make ${file}: ${result.stderr}`);
  return file;
}
