import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfiguration, parseConfiguration } from '../../../src/config/index.js';

function withFile(text: string) {
  const directory = mkdtempSync(join(tmpdir(), 'atelier-config-'));
  const path = join(directory, 'atelier.toml');
  writeFileSync(path, text);
  return { directory, path };
}

describe('configuration', () => {
  it('has working defaults with no file', () => {
    const configuration = loadConfiguration({
      environment: {},
      workingDirectory: mkdtempSync(join(tmpdir(), 'atelier-')),
    });
    expect(configuration.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(configuration.data_dir).toBe('./data');
    expect(Object.isFrozen(configuration.server)).toBe(true);
  });

  it('reads the contract shape from ./atelier.toml and applies env overrides', () => {
    const { directory } = withFile(`
[[providers]]
id = "oai"
type = "openai"
base_url = "https://api.openai.com/v1"
models = ["gpt-4o-mini"]
proxy = "socks5://127.0.0.1:1080"
  [[providers.credentials]]
  api_key = "sk-one"
  weight = 2
  priority = 0
  max_concurrency = 4

[[models]]
name = "fast-chat"
targets = ["oai/gpt-4o-mini"]
`);
    const configuration = loadConfiguration({
      environment: {
        ATELIER_PORT: '9999',
        DATABASE_URL: 'postgres://x/y',
        ATELIER_BOOTSTRAP_API_KEY: 'k'.repeat(20),
      },
      workingDirectory: directory,
    });
    expect(configuration.server.port).toBe(9999);
    expect(configuration.database_url).toBe('postgres://x/y');
    expect(configuration.providers[0]!.credentials[0]).toMatchObject({
      api_key: 'sk-one',
      weight: 2,
      max_concurrency: 4,
    });
    expect(configuration.models[0]!.targets).toEqual(['oai/gpt-4o-mini']);
  });

  it('prefers --config over ATELIER_CONFIG over ./atelier.toml', () => {
    const local = withFile('data_dir = "local"');
    const fromEnvironment = withFile('data_dir = "env"');
    const fromFlag = withFile('data_dir = "flag"');
    const environment = { ATELIER_CONFIG: fromEnvironment.path };
    expect(
      loadConfiguration({ environment, workingDirectory: local.directory, path: fromFlag.path }).data_dir,
    ).toBe('flag');
    expect(loadConfiguration({ environment, workingDirectory: local.directory }).data_dir).toBe('env');
    expect(loadConfiguration({ environment: {}, workingDirectory: local.directory }).data_dir).toBe('local');
  });

  it.each([
    [{ providers: [{ id: 'x', type: 'openia' }] }, 'providers[0].type'],
    [
      { providers: [{ id: 'x', type: 'openai', credentials: [{ api_key: 'k', weight: 'heavy' }] }] },
      'providers[0].credentials[0].weight',
    ],
    [{ providers: [{ id: 'x', type: 'openai', proxy: 'ftp://proxy' }] }, 'providers[0].proxy'],
    [{ server: { prot: 1 } }, 'server'],
    [{ models: [{ name: 'a', targets: ['nope/model'] }] }, 'models[0].targets[0]'],
    [
      {
        providers: [
          { id: 'x', type: 'openai' },
          { id: 'x', type: 'anthropic' },
        ],
      },
      'providers[1].id',
    ],
  ])('names the bad key in %j', (raw, key) => {
    expect(() => parseConfiguration(raw, 'test')).toThrow(ConfigurationError);
    try {
      parseConfiguration(raw, 'test');
    } catch (error) {
      expect((error as Error).message).toContain(key);
    }
  });

  it('reports TOML syntax errors with the file name', () => {
    const { path } = withFile('[[providers]\nid = ');
    expect(() => loadConfiguration({ environment: {}, workingDirectory: '/', path })).toThrow(
      /not valid TOML/,
    );
  });

  it('rejects a non-numeric ATELIER_PORT', () => {
    expect(() =>
      loadConfiguration({ environment: { ATELIER_PORT: 'eighty' }, workingDirectory: '/nonexistent' }),
    ).toThrow(/ATELIER_PORT/);
  });
});
