/**
 * espeak-ng, the draft provider's offline voice: found once when the provider is created (by listing its
 * voices, which also says which voice names it accepts), then spawned per request with an argument array,
 * the text on stdin and the WAV on stdout. Never through a shell.
 */
import {
  spawn as nodeSpawn,
  spawnSync as nodeSpawnSync,
  type ChildProcess,
  type SpawnOptions,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
} from 'node:child_process';
import { AtelierError } from '../../errors/index.js';
import { toAbortSignal, type CancelSignal } from '../cancel-signal.js';

export interface SpeechEngine {
  /** Language names `-v` accepts (en, en-us, fr, …), lower case. */
  readonly voices: ReadonlySet<string>;
  /** The spoken text as espeak-ng writes it: a WAV whose header sizes are placeholders. */
  speak(input: SpeakInput, signal: CancelSignal): Promise<Buffer>;
}

export interface SpeakInput {
  text: string;
  voice: string;
  wordsPerMinute: number;
}

export interface EspeakProcesses {
  spawnSync(
    command: string,
    args: readonly string[],
    options: SpawnSyncOptionsWithStringEncoding,
  ): SpawnSyncReturns<string>;
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

const systemProcesses: EspeakProcesses = { spawnSync: nodeSpawnSync, spawn: nodeSpawn };

/** The engine at `path` (a name the OS resolves, or a full path), or undefined when it does not run. */
export function findEspeak(
  path: string,
  processes: EspeakProcesses = systemProcesses,
): SpeechEngine | undefined {
  const listing = processes.spawnSync(path, ['--voices'], { encoding: 'utf8', timeout: 10_000 });
  if (listing.error || listing.status !== 0) return undefined;
  const voices = parseVoices(listing.stdout);
  if (voices.size === 0) return undefined;
  return { voices, speak: (input, signal) => speak(processes, path, input, signal) };
}

/**
 * `espeak-ng --voices` prints a header, then one voice a line: priority, language, gender, name, file,
 * and the other names it answers to as "(en 2)".
 */
export function parseVoices(listing: string): Set<string> {
  const voices = new Set<string>();
  for (const line of listing.split('\n').slice(1)) {
    const language = line.trim().split(/\s+/)[1];
    if (language) voices.add(language.toLowerCase());
    for (const match of line.matchAll(/\((\S+) \d+\)/g)) voices.add(match[1]!.toLowerCase());
  }
  return voices;
}

function speak(
  processes: EspeakProcesses,
  path: string,
  input: SpeakInput,
  signal: CancelSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = ['--stdin', '--stdout', '-v', input.voice, '-s', String(input.wordsPerMinute)];
    const child = processes.spawn(path, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: toAbortSignal(signal),
    });
    const audio: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => audio.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(audio));
      else
        reject(
          new AtelierError(`espeak-ng failed (exit ${code}): ${stderr.trim() || 'no error output'}`, {
            status: 500,
            kind: 'internal',
            code: 'speech_engine_failed',
            retryable: false,
          }),
        );
    });
    // An error writing stdin (the process died early) is reported by 'close' with its exit code.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input.text, 'utf8');
  });
}
