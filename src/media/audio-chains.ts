/** Audio building blocks shared by mix-audio and compose: a common format, gain, fades and ducking. */
import { chain, filter } from './filter-escaping.js';

export const MIX_SAMPLE_RATE = 48000;

/** Every track in one format before mixing: amix and sidechaincompress need matching inputs. */
export function commonAudioFormat(): string[] {
  return [
    filter('aresample', { out_sample_rate: MIX_SAMPLE_RATE }),
    filter('aformat', { sample_fmts: 'fltp', channel_layouts: 'stereo' }),
  ];
}

export interface TrackShaping {
  volumeDb: number;
  fadeIn: number;
  fadeOut: number;
  /** Length of the track after trimming; needed to place the fade-out. */
  length: number | undefined;
  delay: number;
}

export function shapeTrack(shaping: TrackShaping): string[] {
  const filters = [filter('volume', { volume: `${shaping.volumeDb}dB` })];
  if (shaping.fadeIn > 0) filters.push(filter('afade', { t: 'in', st: 0, d: shaping.fadeIn }));
  if (shaping.fadeOut > 0 && shaping.length !== undefined) {
    filters.push(
      filter('afade', { t: 'out', st: Math.max(0, shaping.length - shaping.fadeOut), d: shaping.fadeOut }),
    );
  }
  if (shaping.delay > 0) filters.push(filter('adelay', { delays: Math.round(shaping.delay * 1000), all: 1 }));
  return filters;
}

export interface DuckingSettings {
  /** Level (0–1) of the voice above which music is pushed down. */
  threshold: number;
  ratio: number;
  attack_ms: number;
  release_ms: number;
}

export const DEFAULT_DUCKING: DuckingSettings = { threshold: 0.05, ratio: 8, attack_ms: 20, release_ms: 400 };

export function duckingFilter(settings: DuckingSettings): string {
  return filter('sidechaincompress', {
    threshold: settings.threshold,
    ratio: settings.ratio,
    attack: settings.attack_ms,
    release: settings.release_ms,
  });
}

/** Mix without amix's default 1/n scaling, so adding a quiet track does not halve the others. */
export function mixFilter(inputs: number, duration: 'longest' | 'shortest' | 'first'): string {
  return filter('amix', { inputs, duration, normalize: 0, dropout_transition: 0 });
}

export interface MixGroups {
  voice: string[];
  music: string[];
  other: string[];
}

/**
 * Filter statements that mix labelled tracks into `outputLabel`, ducking music under voice when asked:
 * the voice mix keys a sidechain compressor on the music mix.
 */
export function buildMixGraph(
  groups: MixGroups,
  ducking: DuckingSettings | undefined,
  duration: 'longest' | 'shortest' | 'first',
  outputLabel: string,
): string[] {
  const statements: string[] = [];
  const combine = (labels: string[], label: string): string => {
    if (labels.length === 1) return labels[0] as string;
    statements.push(chain(labels, [mixFilter(labels.length, 'longest')], [label]));
    return label;
  };
  let voice = groups.voice;
  let music = groups.music;
  if (ducking !== undefined && voice.length > 0 && music.length > 0) {
    const voiceMix = combine(voice, 'voice_mix');
    const musicMix = combine(music, 'music_mix');
    // The key is padded with silence so the compressor runs to the end of the music.
    statements.push(chain([voiceMix], [filter('asplit')], ['voice_out', 'voice_key_raw']));
    statements.push(chain(['voice_key_raw'], [filter('apad')], ['voice_key']));
    statements.push(chain([musicMix, 'voice_key'], [duckingFilter(ducking)], ['music_ducked']));
    voice = ['voice_out'];
    music = ['music_ducked'];
  }
  const all = [...voice, ...music, ...groups.other];
  statements.push(
    chain(all, [all.length === 1 ? filter('anull') : mixFilter(all.length, duration)], [outputLabel]),
  );
  return statements;
}
