/**
 * Finds ffmpeg and ffprobe: a configured path first, then the system binaries, then the copies shipped
 * by the optional npm packages. Config and PATH are read elsewhere and passed in.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AtelierError } from '../errors/index.js';

export type ToolSource = 'configured' | 'system' | 'npm';

export interface LocatedTool {
  path: string;
  source: ToolSource;
}

export interface LocatedTools {
  ffmpeg: LocatedTool;
  ffprobe: LocatedTool;
}

export interface LocateOptions {
  /** FFMPEG_PATH / FFPROBE_PATH from configuration. */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Directories to search after the configured path, e.g. the PATH entries; /usr/bin is always tried. */
  searchDirectories?: string[];
}

export interface LocateDependencies {
  isExecutable(path: string): Promise<boolean>;
  /** The binary path an npm package reports, or undefined when the optional package is absent. */
  packageBinary(packageName: string): string | undefined;
}

const require = createRequire(import.meta.url);

export const defaultLocateDependencies: LocateDependencies = {
  async isExecutable(path) {
    try {
      await access(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  packageBinary(packageName) {
    try {
      const loaded = require(packageName) as { path?: unknown };
      return typeof loaded.path === 'string' ? loaded.path : undefined;
    } catch {
      return undefined;
    }
  },
};

const NPM_PACKAGES = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' } as const;

async function locateOne(
  name: 'ffmpeg' | 'ffprobe',
  configured: string | undefined,
  directories: string[],
  dependencies: LocateDependencies,
): Promise<LocatedTool> {
  if (configured !== undefined && configured !== '') {
    if (await dependencies.isExecutable(configured)) return { path: configured, source: 'configured' };
    throw unavailable(`The configured ${name} at ${configured} is not an executable file.`);
  }
  for (const directory of directories) {
    const candidate = join(directory, name);
    if (await dependencies.isExecutable(candidate)) return { path: candidate, source: 'system' };
  }
  const shipped = dependencies.packageBinary(NPM_PACKAGES[name]);
  if (shipped !== undefined && (await dependencies.isExecutable(shipped)))
    return { path: shipped, source: 'npm' };
  throw unavailable(`No ${name} found: set its path in the configuration or install FFmpeg.`);
}

function unavailable(message: string): AtelierError {
  return new AtelierError(message, {
    status: 503,
    kind: 'internal',
    code: 'media_tool_unavailable',
    retryable: false,
  });
}

export async function locateMediaTools(
  options: LocateOptions = {},
  dependencies: LocateDependencies = defaultLocateDependencies,
): Promise<LocatedTools> {
  const directories = [
    ...new Set(['/usr/bin', '/usr/local/bin', ...(options.searchDirectories ?? [])]),
  ].filter((directory) => directory !== '');
  return {
    ffmpeg: await locateOne('ffmpeg', options.ffmpegPath, directories, dependencies),
    ffprobe: await locateOne('ffprobe', options.ffprobePath, directories, dependencies),
  };
}
