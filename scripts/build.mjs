#!/usr/bin/env node
/**
 * Builds what `npm start` runs: src/main.ts bundled by esbuild into dist/main.js plus one chunk per module
 * that is loaded on first use (provider adapters, media core, job drivers, …), minified, with linked source
 * maps (run with `node --enable-source-maps` to read stack traces against src/).
 *
 * Why a bundle and not tsc's one-file-per-module output: Node keeps every loaded module's source text and
 * module record on the heap. One minified bundle takes Atelier's RSS after start from ~107 MB to ~87 MB
 * (docs/decisions/0004-bundled-build.md). Type checking stays with `npm run typecheck`.
 *
 * Packages stay outside the bundle when they are native addons, read files beside their own code at run
 * time (BullMQ's Lua scripts, the FFmpeg installers' binaries), or are only loaded in the scaled-out mode.
 *
 * Usage: node scripts/build.mjs [--outdir dist]
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const externalPackages = [
  'better-sqlite3',
  'sharp',
  'bullmq',
  'ioredis',
  'pg',
  'pg-native',
  '@aws-sdk/*',
  '@ffmpeg-installer/*',
  '@ffprobe-installer/*',
];

/** Bundles src/main.ts into `outdir` (emptied first). The directory must sit inside the project so
 * that the external packages resolve from its node_modules. */
export async function buildAtelier(outdir = path.join(rootDir, 'dist')) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: rootDir,
    entryPoints: ['src/main.ts'],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    external: externalPackages,
    // CommonJS dependencies inside an ES module bundle call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __atelierCreateRequire } from 'node:module'; const require = __atelierCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    metafile: true,
  });
  return result.metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  const started = performance.now();
  const metafile = await buildAtelier(values.outdir && path.resolve(values.outdir));
  const bytes = Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  console.log(
    `built ${values.outdir ?? 'dist'}/main.js (${(bytes / 1024).toFixed(0)} KB of JavaScript in ` +
      `${Object.keys(metafile.outputs).filter((file) => file.endsWith('.js')).length} files) in ` +
      `${(performance.now() - started).toFixed(0)} ms`,
  );
}
