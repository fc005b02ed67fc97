/**
 * Atelier as `npm start` runs it: the esbuild bundle (scripts/build.mjs) started in its own process with the
 * start script's Node flags, a config file and a bootstrap admin key. The bundle is built inside the project
 * (node_modules/.cache), so that the packages left outside it resolve from node_modules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain ES module script without type declarations
import { buildAtelier } from '../../scripts/build.mjs';
// @ts-expect-error -- a plain ES module script without type declarations
import { startScriptEnvironment, startScriptNodeFlags } from '../../scripts/start-flags.mjs';
import type { FakeUpstream } from '../fakes/fake-server.js';
import { startServerProcess } from './server-process.js';

export interface BundledServer {
  url: string;
  /** Stops the server and removes its build and its temporary directory. */
  close(): void;
}

/**
 * The `[[providers]]` tables for the fake upstreams given, one provider each, with the ids the build tests use:
 * oai (gpt-4o-mini), claude (claude-haiku-4-5), google (gemini-2.5-flash) and local (llama3.2:latest, keyless).
 */
export function fakeProvidersToml(fakes: {
  openai?: FakeUpstream;
  anthropic?: FakeUpstream;
  gemini?: FakeUpstream;
  ollama?: FakeUpstream;
}): string[] {
  return [
    ...(fakes.openai
      ? providerToml('oai', 'openai', `${fakes.openai.url}/v1`, 'gpt-4o-mini', 'sk-good')
      : []),
    ...(fakes.anthropic
      ? providerToml('claude', 'anthropic', fakes.anthropic.url, 'claude-haiku-4-5', 'sk-ant-good')
      : []),
    ...(fakes.gemini
      ? providerToml('google', 'gemini', fakes.gemini.url, 'gemini-2.5-flash', 'AIza-good')
      : []),
    ...(fakes.ollama ? providerToml('local', 'ollama', fakes.ollama.url, 'llama3.2:latest', '') : []),
  ];
}

/** One `[[providers]]` table with one credential (or none, for an empty key). */
function providerToml(id: string, type: string, baseUrl: string, model: string, apiKey: string): string[] {
  return [
    '[[providers]]',
    `id = "${id}"`,
    `type = "${type}"`,
    `base_url = "${baseUrl}"`,
    `models = ["${model}"]`,
    ...(apiKey ? ['  [[providers.credentials]]', `  api_key = "${apiKey}"`] : []),
  ];
}

export async function startBundledServer(options: {
  /** Names the build directory and the temporary directory. */
  name: string;
  apiKey: string;
  /** Config file lines after `log_level` (which stays "info": the start is detected from its log line). */
  config: string[];
  /** Node flags after the start script's own, given the server's temporary directory for files they write. */
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
      ...startScriptEnvironment(process.cwd()),
      ATELIER_HOST: '127.0.0.1',
      ATELIER_PORT: '0',
      ATELIER_DATA_DIR: join(directory, 'data'),
      ATELIER_BOOTSTRAP_API_KEY: options.apiKey,
    },
  );
  return {
    url,
    close() {
      child.kill('SIGKILL');
      rmSync(outdir, { recursive: true, force: true });
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
