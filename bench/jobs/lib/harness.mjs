/**
 * What the jobs and media benchmarks share: child processes that are always stopped, Atelier started from
 * dist/ with a TOML config and a bootstrap key, a private PostgreSQL schema and Redis key prefix per run,
 * /proc sampling, percentiles, and writing results (markdown + JSON + a marked section of bench/README.md).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startEnvironment, startNodeFlags } from '../../lib/start-flags.mjs';

export const benchDir = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
export const rootDir = path.dirname(benchDir);
export const postgresBaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const apiKey = 'bench-bootstrap-key-0123456789abcdef';
export const clockTicks = 100; // getconf CLK_TCK on Linux

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (...parts) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);

// ---------------------------------------------------------------- processes

const children = [];
let stopping = false;

/** Starts a process whose output is kept (the last ~5000 chunks) and written to `logFile` at the end. */
export function start(name, command, args, { env = {}, dropEnv = [], logFile, cwd = rootDir } = {}) {
  const inherited = { ...process.env };
  for (const key of dropEnv) delete inherited[key];
  const child = spawn(command, args, {
    cwd,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    output.push(chunk);
    if (output.length > 5000) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => Buffer.concat(output).toString('utf8');
  child.logFile = logFile;
  child.once('exit', (code, signal) => {
    child.exited = true;
    if (!stopping && !child.stopping)
      log(`${name} exited early (code ${code}, signal ${signal})\n${child.output().slice(-2000)}`);
  });
  children.push(child);
  return child;
}

export async function stopChild(child) {
  child.stopping = true;
  if (child.logFile) writeFileSync(child.logFile, child.output());
  if (child.exited) return;
  child.kill('SIGTERM');
  const exited = await Promise.race([once(child, 'exit').then(() => true), sleep(8000).then(() => false)]);
  if (!exited) child.kill('SIGKILL');
}

export async function stopAll() {
  stopping = true;
  await Promise.all(children.map((child) => stopChild(child)));
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void stopAll().then(() => process.exit(130)));
}

export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/** Reads `{"port":N}` from a child's stdout (our fakes print it once listening). */
export function portOf(child) {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', function onData(chunk) {
      buffer += chunk;
      const match = /\{"port":(\d+)\}/.exec(buffer);
      if (match) {
        child.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', () => reject(new Error(`process failed: ${child.output().slice(-2000)}`)));
  });
}

// ---------------------------------------------------------------- Atelier

/**
 * Starts `node dist/main.js serve` on a port it picks itself (ATELIER_PORT=0, read from the log).
 * `database`: 'sqlite' | 'postgres'; `redis`: true for BullMQ. Returns {child, baseUrl, headers, drop}.
 */
export async function startAtelier({
  name,
  tempDir,
  jobsLines = [],
  configLines = [],
  database = 'sqlite',
  redis = false,
  logDir,
}) {
  const distMain = path.join(rootDir, 'dist', 'main.js');
  if (!existsSync(distMain)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const tag = randomBytes(5).toString('hex');
  const configPath = path.join(tempDir, `${name}.toml`);
  // A private Redis prefix and PostgreSQL schema: other engineers' tests use the same services.
  const redisPrefix = `atelier-bench-${tag}`;
  writeFileSync(
    configPath,
    [
      'log_level = "info"',
      '[jobs]',
      `redis_prefix = "${redisPrefix}"`,
      ...jobsLines,
      ...configLines,
      '',
    ].join('\n'),
  );
  const env = {
    ...startEnvironment(rootDir),
    ATELIER_HOST: '127.0.0.1',
    ATELIER_PORT: '0',
    ATELIER_DATA_DIR: path.join(tempDir, `${name}-data`),
    ATELIER_BOOTSTRAP_API_KEY: apiKey,
  };
  let schema;
  if (database === 'postgres') {
    schema = await createSchema(`atelier_bench_${tag}`);
    env.DATABASE_URL = `${postgresBaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  if (redis) env.REDIS_URL = redisUrl;
  const child = start(
    name,
    process.execPath,
    [...startNodeFlags(rootDir), distMain, 'serve', '--config', configPath],
    {
      env,
      dropEnv: ['DATABASE_URL', 'REDIS_URL', 'ATELIER_CONFIG'],
      logFile: logDir ? path.join(logDir, `${name}.log`) : undefined,
    },
  );
  const port = await new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(buffer);
      if (match) {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`${name} failed to start: ${child.output().slice(-3000)}`)));
  }).catch(async (error) => {
    // Leave nothing behind in the shared PostgreSQL when the start fails.
    if (schema) await dropSchema(schema).catch(() => undefined);
    throw error;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    const response = await request(`${baseUrl}/health/live`);
    await response.body.dump();
    return response.statusCode === 200;
  }, `${name} /health/live`);
  const stats = await statsConnection(database, env);
  return {
    child,
    baseUrl,
    headers: { authorization: `Bearer ${apiKey}` },
    /** Read-only SQL on Atelier's database (job counts and timestamps; the API has no aggregate view). */
    sql: stats.query,
    async stop() {
      await stats.close();
      await stopChild(child);
      if (schema)
        await dropSchema(schema).catch((error) => log(`could not drop ${schema}: ${error.message}`));
      if (redis) await deleteRedisKeys(redisPrefix).catch((error) => log(`redis cleanup: ${error.message}`));
    },
  };
}

async function statsConnection(database, env) {
  if (database === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    return {
      query: async (text) => (await client.query(text)).rows,
      close: () => client.end().catch(() => undefined),
    };
  }
  const { default: SQLite } = await import('better-sqlite3');
  const sqlite = new SQLite(path.join(env.ATELIER_DATA_DIR, 'atelier.db'), {
    readonly: true,
    fileMustExist: true,
  });
  sqlite.pragma('busy_timeout = 5000');
  return {
    query: async (text) => sqlite.prepare(text).all(),
    close: async () => sqlite.close(),
  };
}

async function pgClient() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: postgresBaseUrl });
  await client.connect();
  return client;
}

async function createSchema(schema) {
  const client = await pgClient();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  return schema;
}

async function dropSchema(schema) {
  const client = await pgClient();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(prefix) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Whether PostgreSQL and Redis answer, so their cases can be skipped loudly instead of failing. */
export async function servicesAvailable() {
  const result = { postgres: false, redis: false };
  try {
    const client = await pgClient();
    await client.query('select 1');
    await client.end();
    result.postgres = true;
  } catch {
    // reported by the caller
  }
  try {
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    await redis.connect();
    await redis.ping();
    redis.disconnect();
    result.redis = true;
  } catch {
    // reported by the caller
  }
  return result;
}

// ---------------------------------------------------------------- /proc sampling

export function readTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined;
  }
}

/** CPU ticks of a process's waited-for children (ffmpeg runs count here once they exit). */
export function readChildTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[13]) + Number(fields[14]); // cutime + cstime
  } catch {
    return undefined;
  }
}

export function readRssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples RSS and CPU of named processes every `intervalMs` until stopped. `stop()` returns
 * {series: [{t, rss:{name}, cpu:{name}}], maxRss:{name}, cpuPercent:{name}} (100 % = one core).
 */
export function sampler(pids, intervalMs = 1000) {
  const startedAt = Date.now();
  const first = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, readTicks(pid)]));
  let previous = { ...first };
  let previousTime = startedAt;
  const series = [];
  const timer = setInterval(() => {
    const now = Date.now();
    const point = { t: Math.round((now - startedAt) / 100) / 10, rss: {}, cpu: {} };
    for (const [name, pid] of Object.entries(pids)) {
      const ticks = readTicks(pid);
      point.rss[name] = round(readRssMb(pid), 1);
      point.cpu[name] =
        ticks === undefined || previous[name] === undefined
          ? undefined
          : Math.round(((ticks - previous[name]) / clockTicks / ((now - previousTime) / 1000)) * 100);
      previous[name] = ticks;
    }
    previousTime = now;
    series.push(point);
  }, intervalMs);
  return {
    series,
    stop() {
      clearInterval(timer);
      const seconds = (Date.now() - startedAt) / 1000;
      const maxRss = {};
      const cpuPercent = {};
      for (const [name, pid] of Object.entries(pids)) {
        const values = series.map((point) => point.rss[name]).filter((value) => value !== undefined);
        maxRss[name] = values.length ? Math.max(...values) : undefined;
        const ticks = readTicks(pid) ?? previous[name];
        cpuPercent[name] =
          ticks === undefined || first[name] === undefined
            ? undefined
            : Math.round(((ticks - first[name]) / clockTicks / seconds) * 100);
      }
      return { series, maxRss, cpuPercent, seconds };
    },
  };
}

// ---------------------------------------------------------------- numbers

export function round(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(value)) return undefined;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function percentile(sorted, fraction) {
  if (sorted.length === 0) return undefined;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1),
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function table(headers, rows) {
  const cell = (value) => (value === undefined || value === null ? '–' : String(value));
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function machineLine(loadBefore, loadAfter) {
  const cpus = os.cpus();
  return (
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${round(os.totalmem() / 2 ** 30, 1)} GB, ` +
    `Node ${process.version}; load average ${loadBefore.map((value) => value.toFixed(2)).join(' / ')} (1/5/15 min) ` +
    `at start, ${loadAfter.map((value) => value.toFixed(2)).join(' / ')} at end`
  );
}

// ---------------------------------------------------------------- results

/** `name`.md and `name`.json: quick runs use 'latest-quick' so they never replace a full run's results. */
export function writeResults(directory, markdown, json, name = 'latest') {
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, `${name}.md`), markdown);
  writeFileSync(path.join(directory, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
}

/** Replaces the text between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` in bench/README.md. */
export function updateReadme(marker, markdown) {
  const readme = path.join(benchDir, 'README.md');
  if (!existsSync(readme)) return false;
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) return false;
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
  return true;
}

/** Warn-and-above log lines, grouped by message. */
export function countLogProblems(output) {
  const counts = new Map();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.level >= 40) {
        const key = `level ${entry.level}: ${entry.msg}${entry.err?.message ? ` (${entry.err.message.slice(0, 120)})` : ''}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    } catch {
      // not a log line
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
}
