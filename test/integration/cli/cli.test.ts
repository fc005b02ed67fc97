/** The `atelier` command as a user runs it: a real process, real config files, real signals. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const entry = ['--import', 'tsx', 'src/main.ts'];

function environment(dataDir: string, extra: Record<string, string> = {}) {
  return { ...process.env, ATELIER_DATA_DIR: dataDir, ATELIER_LOG_LEVEL: 'info', ...extra };
}

describe('atelier CLI', () => {
  it('fails at start with a message naming the bad key', () => {
    const directory = mkdtempSync(join(tmpdir(), 'atelier-cli-'));
    const config = join(directory, 'bad.toml');
    writeFileSync(config, '[[providers]]\nid = "x"\ntype = "openia"\n');
    const result = spawnSync(process.execPath, [...entry, 'serve', '--config', config], {
      env: environment(directory),
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('providers[0].type');
  });

  it('creates and lists keys', () => {
    const directory = mkdtempSync(join(tmpdir(), 'atelier-cli-'));
    const created = spawnSync(process.execPath, [...entry, 'keys', 'create', 'ci', '--role', 'admin'], {
      env: environment(directory),
      encoding: 'utf8',
    });
    expect(created.status).toBe(0);
    const key = /atl_[\w-]+/.exec(created.stdout)![0];
    const listed = spawnSync(process.execPath, [...entry, 'keys', 'list'], {
      env: environment(directory),
      encoding: 'utf8',
    });
    expect(listed.stdout).toContain(key.slice(0, 8));
    expect(listed.stdout).not.toContain(key);
  });

  it('serves with the bootstrap key, then shuts down cleanly on SIGTERM', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'atelier-cli-'));
    const child = spawn(process.execPath, [...entry, 'serve'], {
      env: environment(directory, {
        ATELIER_PORT: '0',
        ATELIER_BOOTSTRAP_API_KEY: 'atl_cli_bootstrap_key_123456',
      }),
    });
    let output = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    expect((await fetch(`${address}/health/live`)).status).toBe(200);
    const models = await fetch(`${address}/v1/models`, {
      headers: { authorization: 'Bearer atl_cli_bootstrap_key_123456' },
    });
    expect(models.status).toBe(200);
    expect(await models.json()).toEqual({ object: 'list', data: [] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
