/**
 * Atelier as `npm start` runs it: the esbuild bundle (scripts/build.mjs) started in its own process with the
 * start script's Node flags, a config file and a bootstrap admin key. The bundle is built inside the project
 * (node_modules/.cache), so that the packages left outside it resolve from node_modules.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain ES module script without type declarations
import { buildAtelier } from '../../scripts/build.mjs';
// @ts-expect-error -- a plain ES module script without type declarations
import { startScriptNodeFlags } from '../../scripts/start-flags.mjs';
import { startServerProcess } from './server-process.js';

export interface BundledServer {
  url: string;
  child: ChildProcess;
  /** The server's temporary directory: its config, its data dir, and room for files a test asks for. */
  directory: string;
  close(): void;
}

/** One `[[providers]]` table with one credential (or none, for an empty key). */
export function providerToml(provider: {
  id: string;
  type: string;
  baseUrl: string;
  models: string[];
  apiKey: string;
}): string[] {
  return [
    '[[providers]]',
    `id = "${provider.id}"`,
    `type = "${provider.type}"`,
    `base_url = "${provider.baseUrl}"`,
    `models = [${provider.models.map((model) => `"${model}"`).join(', ')}]`,
    ...(provider.apiKey ? ['  [[providers.credentials]]', `  api_key = "${provider.apiKey}"`] : []),
  ];
}

export async function startBundledServer(options: {
  /** Names the build directory and the temporary directory. */
  name: string;
  apiKey: string;
  /** Config file lines after `log_level` (which stays "info": the start is detected from its log line). */
  config: string[];
  /** Node flags after the start script's own. */
  nodeFlags?: (directory: string) => string[];
}): Promise<BundledServer> {
  const outdir = join(process.cwd(), 'node_modules', '.cache', `${options.name}-${process.pid}`);
  await buildAtelier(outdir);
  const directory = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const configPath = join(directory, 'atelier.toml');
  writeFileSync(configPath, ['log_level = "info"', ...options.config, ''].join('\n'));
  const { url, child } = await startServerProcess(
    [
      ...startScriptNodeFlags(process.cwd()),
      ...(options.nodeFlags?.(directory) ?? []),
      join(outdir, 'main.js'),
      'serve',
      '--config',
      configPath,
    ],
    {
      ATELIER_HOST: '127.0.0.1',
      ATELIER_PORT: '0',
      ATELIER_DATA_DIR: join(directory, 'data'),
      ATELIER_BOOTSTRAP_API_KEY: options.apiKey,
    },
  );
  return {
    url,
    child,
    directory,
    close() {
      child.kill('SIGKILL');
      rmSync(outdir, { recursive: true, force: true });
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
