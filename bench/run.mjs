#!/usr/bin/env node
/**
 * Chat relay benchmark: what Atelier adds on the /v1/chat/completions hot path, side by side with a direct call
 * to the upstream and with Portkey's open-source gateway, in one run.
 *
 *   npm run build && node bench/run.mjs            full run (~4 minutes)
 *   node bench/run.mjs --quick                     smoke run (2 s per case)
 *   node bench/run.mjs --no-portkey                skip Portkey
 *   node bench/run.mjs --quick --profile           also CPU-profile Atelier (slower; numbers not comparable)
 *
 * Writes bench/results/latest.md, bench/results/latest.json and the results section of bench/README.md.
 * See bench/README.md for what each number means.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { summariseProfile } from './lib/profile-summary.mjs';
import { startEnvironment, startNodeFlags } from './lib/start-flags.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-portkey': { type: 'boolean', default: false },
    seconds: { type: 'string' },
    'paced-seconds': { type: 'string' },
    rate: { type: 'string', default: '500' },
    'no-readme': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    rounds: { type: 'string' },
  },
});

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const scratchDir = path.join(benchDir, '.scratch');
const logDir = path.join(scratchDir, 'logs');
const profileDir = path.join(scratchDir, 'profiles');
const resultsDir = path.join(benchDir, 'results');
const quick = options.quick;
const caseSeconds = Number(options.seconds ?? (quick ? 2 : 10));
const pacedSeconds = Number(options['paced-seconds'] ?? (quick ? 3 : 10));
const pacedRate = Number(options.rate);
/** Each paced case first sends this long at its rate, unrecorded, so what it measures is the steady state. */
const pacedWarmupSeconds = quick ? 1 : 2;
const warmSeconds = quick ? 1 : 3;
/** How long a gateway sits idle before its memory counts as settled. */
const settleMs = quick ? 3000 : 60_000;
/** Every case runs this many times, the targets taking turns, and the median run is reported. */
const rounds = Number(options.rounds ?? (quick ? 1 : 3));
const connectionCounts = [50, 200];
const apiKey = 'bench-bootstrap-key-0123456789abcdef';
const model = 'gpt-bench';
const clockTicks = 100; // getconf CLK_TCK on Linux
const children = [];
const log = (...parts) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);

// ---------------------------------------------------------------- processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(name, command, args, { cwd = rootDir, env = {}, logFile } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
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
  child.benchName = name;
  child.logFile = logFile;
  child.once('exit', (code, signal) => {
    child.exited = true;
    if (!stopping)
      log(`${name} exited early (code ${code}, signal ${signal})\n${child.output().slice(-2000)}`);
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stopAll() {
  stopping = true;
  for (const child of children) {
    if (child.logFile) writeFileSync(child.logFile, child.output());
    if (!child.exited) child.kill('SIGTERM');
  }
  await Promise.race([
    Promise.all(children.filter((child) => !child.exited).map((child) => once(child, 'exit'))),
    new Promise((resolve) => setTimeout(resolve, 3000)),
  ]);
  for (const child of children) if (!child.exited) child.kill('SIGKILL');
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void stopAll().then(() => process.exit(130)));
}

async function waitFor(check, what, timeoutMs = 30_000) {
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- /proc sampling

function readTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

function readRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function readMachineTicks() {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const numbers = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = numbers[3] + numbers[4];
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Samples CPU and RSS of some processes while `work` runs. CPU% is of one core (200% = both cores). */
async function sampled(pids, work) {
  const startTicks = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, readTicks(pid)]));
  const startMachine = readMachineTicks();
  const startTime = process.hrtime.bigint();
  const rss = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
  const lastTicks = { ...startTicks };
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const value = readRssMb(pid);
      if (value !== undefined) rss[name].push(value);
      const ticks = readTicks(pid);
      if (ticks !== undefined) lastTicks[name] = ticks;
    }
  };
  const timer = setInterval(sample, 250);
  sample();
  let result;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const seconds = Number(process.hrtime.bigint() - startTime) / 1e9;
  const endMachine = readMachineTicks();
  const processes = {};
  let ourTicks = 0;
  for (const [name, pid] of Object.entries(pids)) {
    // A process that already exited (the load generator) counts up to its last sample.
    const end = readTicks(pid) ?? lastTicks[name];
    const ticks = end !== undefined && startTicks[name] !== undefined ? end - startTicks[name] : undefined;
    if (ticks !== undefined) ourTicks += ticks;
    const samples = rss[name];
    processes[name] = {
      cpu_percent: ticks === undefined ? null : round((ticks / clockTicks / seconds) * 100, 0),
      rss_max_mb: samples.length ? round(Math.max(...samples), 1) : null,
      rss_mean_mb: samples.length ? round(samples.reduce((a, b) => a + b, 0) / samples.length, 1) : null,
    };
  }
  const cores = os.cpus().length;
  const machineBusy =
    ((endMachine.busy - startMachine.busy) / (endMachine.total - startMachine.total)) * 100 * cores;
  // The load generator is part of `pids` as `client`, so what is left over is other work on the machine.
  const other = machineBusy - (ourTicks / clockTicks / seconds) * 100;
  return {
    result,
    processes,
    machine_busy_percent: round(machineBusy, 0),
    other_busy_percent: round(Math.max(0, other), 0),
  };
}

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- load generators

function chatBody(stream) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say hello.' }],
    ...(stream ? { stream: true } : {}),
  });
}

/** Runs wrk; while it runs, samples the gateway, the upstream and wrk itself. */
async function runWrk(target, stream, connections, seconds, sample = true) {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '--timeout',
    '10s',
    '-s',
    path.join(benchDir, 'lib', 'chat.lua'),
    `${target.url}/chat/completions`,
  ];
  const child = spawn('wrk', args, {
    env: {
      ...process.env,
      BENCH_BODY: chatBody(stream),
      BENCH_HEADERS: Object.entries(target.headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const finished = once(child, 'exit');
  const pids = { upstream: upstream.pid, client: child.pid };
  if (target.process) pids.gateway = target.process.pid;
  const measured = sample ? await sampled(pids, () => finished) : { result: await finished };
  const [code] = measured.result;
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (code ${code}): ${stderr}\n${stdout}`);
  const summary = JSON.parse(line.slice('BENCH_JSON '.length));
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errorCount =
    summary.errors.connect +
    summary.errors.read +
    summary.errors.write +
    summary.errors.timeout +
    summary.errors.status;
  return {
    target: target.name,
    mode: stream ? 'stream' : 'json',
    connections,
    seconds,
    requests: summary.requests,
    rps: Math.round(summary.requests / (summary.duration_us / 1e6)),
    latency_ms: Object.fromEntries(
      Object.entries(summary.latency_us).map(([key, value]) => [key, round(value / 1000, 2)]),
    ),
    errors: summary.errors,
    error_count: errorCount,
    non_2xx: non2xx ? Number(non2xx[1]) : 0,
    gateway: measured.processes?.gateway ?? null,
    upstream: measured.processes?.upstream ?? null,
    client: measured.processes?.client ?? null,
    machine_busy_percent: measured.machine_busy_percent ?? null,
    other_busy_percent: measured.other_busy_percent ?? null,
  };
}

async function runPaced(target, stream, seconds) {
  const args = [
    path.join(benchDir, 'paced-load.mjs'),
    '--url',
    `${target.url}/chat/completions`,
    '--rate',
    String(pacedRate),
    '--seconds',
    String(seconds),
    '--warmup',
    String(pacedWarmupSeconds),
    ...Object.entries(target.headers).flatMap(([name, value]) => ['--header', `${name}: ${value}`]),
    ...(stream ? ['--stream'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const finished = once(child, 'exit');
  const pids = { upstream: upstream.pid, client: child.pid };
  if (target.process) pids.gateway = target.process.pid;
  const measured = await sampled(pids, () => finished);
  const [code] = measured.result;
  if (code !== 0) throw new Error(`paced load failed (code ${code}): ${stderr}`);
  const result = JSON.parse(stdout.trim().split('\n').at(-1));
  return {
    target: target.name,
    mode: stream ? 'stream' : 'json',
    ...result,
    gateway: measured.processes.gateway ?? null,
    upstream: measured.processes.upstream,
    client: measured.processes.client,
    machine_busy_percent: measured.machine_busy_percent,
    other_busy_percent: measured.other_busy_percent,
  };
}

// ---------------------------------------------------------------- targets

async function call(target, stream) {
  const response = await request(`${target.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: chatBody(stream),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** Proves a target really reaches the fake upstream: its completion ids are `chatcmpl-bench<N>`. */
async function verify(target) {
  const json = await call(target, false);
  if (json.status !== 200 || !/"id":"chatcmpl-bench\d+"/.test(json.text)) {
    throw new Error(
      `${target.name} did not relay to the fake upstream: HTTP ${json.status} ${json.text.slice(0, 400)}`,
    );
  }
  const stream = await call(target, true);
  const chunks = stream.text.split('\n').filter((line) => line.startsWith('data: {'));
  const done = stream.text.split('data: [DONE]').length - 1;
  const relayed = chunks.filter((line) => /"id":"chatcmpl-bench\d+"/.test(line)).length;
  const note =
    `${target.name}: JSON ok; stream HTTP ${stream.status}, ${chunks.length} chunks ` +
    `(${relayed} with the upstream id), ${done}× [DONE]`;
  if (stream.status !== 200 || relayed === 0) throw new Error(`${note}\n${stream.text.slice(0, 600)}`);
  const problems = [];
  if (done !== 1) problems.push(`stream carries ${done}× "data: [DONE]" (expected 1)`);
  if (chunks.length !== 10) problems.push(`stream carries ${chunks.length} chunks (upstream sent 10)`);
  log(note + (problems.length ? ` — PROBLEM: ${problems.join('; ')}` : ''));
  return {
    json_ok: true,
    stream_chunks: chunks.length,
    stream_chunks_relayed: relayed,
    stream_done_markers: done,
    problems,
  };
}

async function ensurePortkey() {
  const packageDir = path.join(scratchDir, 'node_modules', '@portkey-ai', 'gateway');
  const entry = path.join(packageDir, 'build', 'start-server.js');
  if (!existsSync(entry)) {
    log('installing @portkey-ai/gateway into bench/.scratch (not a project dependency)');
    mkdirSync(scratchDir, { recursive: true });
    const install = spawn(
      'npm',
      ['install', '--prefix', scratchDir, '--no-audit', '--no-fund', '@portkey-ai/gateway'],
      {
        cwd: rootDir,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const [code] = await once(install, 'exit');
    if (code !== 0 || !existsSync(entry)) throw new Error('npm install of @portkey-ai/gateway failed');
  }
  const version = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  // Portkey 1.15.x on Node 20 answers every streamed chat with "Something went wrong" (TypeError: immutable in
  // ResponseService.updateHeaders; Portkey-AI/gateway#1389, #1550). Its own fix (#1551) gives the mapped
  // streaming Response fresh headers; the same one-line change is applied to a copy of the build here.
  const source = readFileSync(entry, 'utf8');
  const broken = ':new Response(p,e)}';
  const patched = path.join(packageDir, 'build', 'start-server.bench.js');
  let patch = 'none';
  if (source.includes(broken)) {
    writeFileSync(
      patched,
      source.replace(
        broken,
        ':new Response(p,{status:e.status,statusText:e.statusText,headers:new Headers(e.headers)})}',
      ),
    );
    patch = 'copy streamed response headers (Portkey-AI/gateway#1551)';
  } else {
    writeFileSync(patched, source);
  }
  return { version, entry: patched, patch };
}

/** Heap figures from Atelier's Prometheus endpoint (prom-client default metrics), in MB. */
async function atelierHeap(target) {
  try {
    const response = await request(`${target.url.replace(/\/v1$/, '')}/metrics`, { headers: target.headers });
    const text = await response.body.text();
    if (response.statusCode !== 200) return null;
    const read = (name) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return match ? round(Number(match[1]) / 2 ** 20, 1) : null;
    };
    return {
      heap_used_mb: read('nodejs_heap_size_used_bytes'),
      heap_total_mb: read('nodejs_heap_size_total_bytes'),
      external_mb: read('nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- main

let upstream;

async function main() {
  const startedAt = new Date();
  const timer = process.hrtime.bigint();
  const distMain = path.join(rootDir, 'dist', 'main.js');
  if (!existsSync(distMain)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
  mkdirSync(logDir, { recursive: true });
  const profileStartedAt = Date.now();
  const profileArgs = options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const loadBefore = os.loadavg();

  // Upstream
  upstream = start(
    'fake upstream',
    process.execPath,
    [path.join(benchDir, 'fake-upstream.mjs'), '--port', '0'],
    {
      logFile: path.join(logDir, 'upstream.log'),
    },
  );
  const upstreamPort = await new Promise((resolve, reject) => {
    let buffer = '';
    upstream.stdout.on('data', function onData(chunk) {
      buffer += chunk;
      const match = /\{"port":(\d+)\}/.exec(buffer);
      if (match) {
        upstream.stdout.off('data', onData);
        resolve(Number(match[1]));
      }
    });
    upstream.once('exit', () => reject(new Error(`fake upstream failed: ${upstream.output()}`)));
  });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  const targets = [
    { name: 'direct', url: upstreamUrl, headers: { authorization: 'Bearer sk-bench' }, process: null },
  ];

  // Atelier
  const atelierPort = await freePort();
  const configPath = path.join(tempDir, 'atelier.toml');
  writeFileSync(
    configPath,
    [
      'log_level = "warn"',
      '[[providers]]',
      'id = "oai"',
      'type = "openai"',
      `base_url = "${upstreamUrl}"`,
      `models = ["${model}"]`,
      '  [[providers.credentials]]',
      '  api_key = "sk-bench"',
      '',
    ].join('\n'),
  );
  const atelierStart = Date.now();
  const atelier = start(
    'atelier',
    process.execPath,
    // The same V8 flags and malloc settings as `npm start` (package.json) unless BENCH_NODE_FLAGS or
    // BENCH_START_ENV say otherwise.
    [...profileArgs, ...startNodeFlags(rootDir), distMain, 'serve', '--config', configPath],
    {
      env: {
        ...startEnvironment(rootDir),
        ATELIER_HOST: '127.0.0.1',
        ATELIER_PORT: String(atelierPort),
        ATELIER_DATA_DIR: path.join(tempDir, 'data'),
        ATELIER_BOOTSTRAP_API_KEY: apiKey,
      },
      logFile: path.join(logDir, 'atelier.log'),
    },
  );
  await waitFor(async () => {
    if (atelier.exited) throw new Error(`atelier exited: ${atelier.output().slice(-2000)}`);
    const response = await request(`http://127.0.0.1:${atelierPort}/health/live`);
    await response.body.dump();
    return response.statusCode === 200;
  }, 'Atelier /health/live');
  const atelierStartupMs = Date.now() - atelierStart;
  await sleep(1000);
  const atelierRssAfterStart = readRssMb(atelier.pid);
  targets.push({
    name: 'atelier',
    url: `http://127.0.0.1:${atelierPort}/v1`,
    headers: { authorization: `Bearer ${apiKey}` },
    process: atelier,
  });

  // Portkey
  let portkey;
  let portkeyInfo = null;
  if (!options['no-portkey']) {
    portkeyInfo = await ensurePortkey();
    const portkeyPort = await freePort();
    portkey = start('portkey', process.execPath, [portkeyInfo.entry, `--port=${portkeyPort}`, '--headless'], {
      cwd: scratchDir,
      logFile: path.join(logDir, 'portkey.log'),
    });
    const portkeyTarget = {
      name: 'portkey',
      url: `http://127.0.0.1:${portkeyPort}/v1`,
      headers: {
        authorization: 'Bearer sk-bench',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': upstreamUrl,
      },
      process: portkey,
    };
    await waitFor(async () => {
      if (portkey.exited) throw new Error(`portkey exited: ${portkey.output().slice(-2000)}`);
      return (await call(portkeyTarget, false)).status === 200;
    }, 'Portkey');
    portkeyInfo.rss_after_start_mb = round(readRssMb(portkey.pid), 1);
    targets.push(portkeyTarget);
  }

  // Idle memory once V8 has settled: its memory reducer shrinks the young generation 15–50 s after a
  // process goes quiet. Neither gateway has served anything yet.
  await sleep(Math.max(0, atelierStart + settleMs - Date.now()));
  const atelierSettledRss = readRssMb(atelier.pid);
  if (portkey) portkeyInfo.rss_settled_after_start_mb = round(readRssMb(portkey.pid), 1);

  // Verify, then warm up
  const verification = {};
  for (const target of targets) verification[target.name] = await verify(target);
  for (const target of targets) {
    log(`warming up ${target.name}`);
    await runWrk(target, false, 50, warmSeconds, false);
    await runWrk(target, true, 50, warmSeconds, false);
  }
  const warmedUp = Date.now();
  await sleep(2000);
  const atelierIdleRss = readRssMb(atelier.pid);
  const atelierIdleHeap = await atelierHeap(targets[1]);
  const portkeyIdleRss = portkey ? readRssMb(portkey.pid) : null;
  await sleep(Math.max(0, warmedUp + settleMs - Date.now()));
  const atelierSettledAfterWarmupRss = readRssMb(atelier.pid);
  const portkeySettledAfterWarmupRss = portkey ? readRssMb(portkey.pid) : null;
  log(
    `Atelier RSS: ${atelierRssAfterStart?.toFixed(1)} MB after start (${atelierSettledRss?.toFixed(1)} settled), ` +
      `${atelierIdleRss?.toFixed(1)} MB idle after warm-up (${atelierSettledAfterWarmupRss?.toFixed(1)} settled)`,
  );

  // Throughput: the targets take turns within each round, so a disturbance hits them alike.
  const throughputRuns = [];
  for (let roundIndex = 1; roundIndex <= rounds; roundIndex++) {
    for (const stream of [false, true]) {
      for (const connections of connectionCounts) {
        for (const target of targets) {
          const result = await runWrk(target, stream, connections, caseSeconds);
          throughputRuns.push(result);
          log(
            `[${roundIndex}/${rounds}] ${target.name.padEnd(7)} ${result.mode.padEnd(6)} c=${String(connections).padEnd(3)} ` +
              `${String(result.rps).padStart(6)} req/s p50 ${result.latency_ms.p50} ms p99 ${result.latency_ms.p99} ms` +
              (result.error_count || result.non_2xx
                ? ` errors ${result.error_count} non-2xx ${result.non_2xx}`
                : '') +
              (result.gateway
                ? ` cpu ${result.gateway.cpu_percent}% rss ${result.gateway.rss_max_mb} MB`
                : ''),
          );
        }
      }
    }
  }
  const throughput = medianRuns(
    throughputRuns,
    (row) => `${row.target} ${row.mode} ${row.connections}`,
    (row) => row.rps,
  );

  // Fixed rate
  const pacedRuns = [];
  for (let roundIndex = 1; roundIndex <= rounds; roundIndex++) {
    for (const stream of [false, true]) {
      for (const target of targets) {
        const result = await runPaced(target, stream, pacedSeconds);
        pacedRuns.push(result);
        log(
          `[${roundIndex}/${rounds}] paced ${pacedRate}/s ${target.name.padEnd(7)} ${result.mode.padEnd(6)} ok ${result.ok}/${result.sent} ` +
            `p50 ${result.latency?.p50} ms p99 ${result.latency?.p99} ms` +
            (result.failures ? ` failures ${result.failures} (${result.first_failure})` : '') +
            (result.malformed ? ` malformed ${result.malformed}` : ''),
        );
      }
    }
  }
  const paced = medianRuns(
    pacedRuns,
    (row) => `${row.target} ${row.mode}`,
    (row) => row.latency?.p99 ?? Infinity,
  );

  const atelierRssEnd = readRssMb(atelier.pid);
  const atelierEndHeap = await atelierHeap(targets[1]);
  const logCounts = {};
  for (const line of atelier.output().split('\n')) {
    if (!line.trim()) continue;
    let key = line.slice(0, 160);
    try {
      const entry = JSON.parse(line);
      key = `level ${entry.level}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
    } catch {
      // not JSON: keep the raw line
    }
    logCounts[key] = (logCounts[key] ?? 0) + 1;
  }
  const results = {
    started_at: startedAt.toISOString(),
    duration_s: round(Number(process.hrtime.bigint() - timer) / 1e9, 1),
    quick,
    settings: {
      case_seconds: caseSeconds,
      paced_seconds: pacedSeconds,
      paced_rate: pacedRate,
      paced_warmup_seconds: pacedWarmupSeconds,
      connections: connectionCounts,
      wrk_threads: 1,
      rounds,
    },
    machine: {
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model,
      memory_gb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadavg_before: loadBefore.map((value) => round(value, 2)),
      loadavg_after: os.loadavg().map((value) => round(value, 2)),
    },
    atelier: {
      startup_ms: atelierStartupMs,
      rss_after_start_mb: round(atelierRssAfterStart, 1),
      rss_settled_after_start_mb: round(atelierSettledRss, 1),
      rss_idle_after_warmup_mb: round(atelierIdleRss, 1),
      rss_settled_after_warmup_mb: round(atelierSettledAfterWarmupRss, 1),
      rss_at_end_mb: round(atelierRssEnd, 1),
      heap_idle_after_warmup: atelierIdleHeap,
      heap_at_end: atelierEndHeap,
      log_lines: logCounts,
    },
    portkey: portkeyInfo && {
      ...portkeyInfo,
      entry: undefined,
      rss_idle_after_warmup_mb: round(portkeyIdleRss, 1),
      rss_settled_after_warmup_mb: round(portkeySettledAfterWarmupRss, 1),
    },
    verification,
    throughput,
    paced,
    throughput_runs: throughputRuns,
    paced_runs: pacedRuns,
  };
  results.targets = evaluate(results);

  await stopAll();
  rmSync(tempDir, { recursive: true, force: true });

  mkdirSync(resultsDir, { recursive: true });
  if (options.profile) {
    const { readdirSync, statSync } = await import('node:fs');
    const newest = readdirSync(profileDir)
      .map((name) => path.join(profileDir, name))
      .filter((file) => file.endsWith('.cpuprofile') && statSync(file).mtimeMs >= profileStartedAt)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest) {
      const summary = summariseProfile(newest, 30);
      writeFileSync(
        path.join(resultsDir, 'profile-latest.md'),
        `### Atelier CPU profile — ${results.started_at}\n\n${summary}`,
      );
      log(`wrote bench/results/profile-latest.md from ${newest}`);
    } else {
      log('no CPU profile was written');
    }
    results.profiled = true;
  }
  const markdown = render(results);
  writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, 'latest.md'), markdown);
  if (!options['no-readme'] && !quick && !options.profile) updateReadme(markdown);
  process.stdout.write(markdown);
  log(`done in ${results.duration_s} s; wrote bench/results/latest.md and latest.json`);
}

// ---------------------------------------------------------------- evaluation and report

function find(list, target, mode, connections) {
  return list.find(
    (row) =>
      row.target === target &&
      row.mode === mode &&
      (connections === undefined || row.connections === connections),
  );
}

/**
 * One row per case: the run with the median value (the lower middle one for an even count), carrying the
 * case's every value in `runs`, its spread, and failures summed over all runs, so none hides.
 */
function medianRuns(runs, caseKey, value) {
  const cases = new Map();
  for (const run of runs) cases.set(caseKey(run), [...(cases.get(caseKey(run)) ?? []), run]);
  return [...cases.values()].map((caseRuns) => {
    const sorted = [...caseRuns].sort((a, b) => value(a) - value(b));
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    const sum = (key) => caseRuns.reduce((total, run) => total + (run[key] ?? 0), 0);
    return {
      ...median,
      runs: caseRuns.map(value),
      ...('error_count' in median && { error_count: sum('error_count'), non_2xx: sum('non_2xx') }),
      ...('failures' in median && { failures: sum('failures'), malformed: sum('malformed') }),
      ...(median.gateway && {
        gateway: {
          ...median.gateway,
          rss_max_mb: Math.max(...caseRuns.map((run) => run.gateway.rss_max_mb)),
        },
      }),
    };
  });
}

function evaluate(results) {
  const checks = [];
  if (results.portkey) {
    const ratios = results.throughput
      .filter((row) => row.target === 'atelier')
      .map((row) => {
        const other = find(results.throughput, 'portkey', row.mode, row.connections);
        return other && other.rps > 0 ? row.rps / other.rps : null;
      })
      .filter((value) => value !== null);
    const worst = Math.min(...ratios);
    checks.push({
      target: 'Atelier ≥ 5× Portkey throughput (req/s, every case)',
      value: `${round(worst, 2)}× worst case, ${round(Math.max(...ratios), 2)}× best`,
      met: worst >= 5,
    });
  }
  for (const mode of ['json', 'stream']) {
    const direct = find(results.paced, 'direct', mode);
    const atelier = find(results.paced, 'atelier', mode);
    if (!direct?.latency || !atelier?.latency) continue;
    const added99 = atelier.latency.p99 - direct.latency.p99;
    checks.push({
      target: `added p99 < 2 ms at a steady ${results.settings.paced_rate} req/s (${mode})`,
      value: `${round(added99, 2)} ms (p50 +${round(atelier.latency.p50 - direct.latency.p50, 2)} ms)`,
      met: added99 < 2 && atelier.failures === 0,
    });
  }
  const { atelier: memory } = results;
  checks.push({
    target: 'Atelier idle RSS < 80 MB (settled, after start and after warm-up)',
    value:
      `after start ${memory.rss_settled_after_start_mb} MB settled (${memory.rss_after_start_mb} at 1 s); ` +
      `after warm-up ${memory.rss_settled_after_warmup_mb} MB settled (${memory.rss_idle_after_warmup_mb} at 2 s)`,
    met: memory.rss_settled_after_start_mb < 80 && memory.rss_settled_after_warmup_mb < 80,
  });
  const rss200 = Math.max(
    ...results.throughput
      .filter((row) => row.target === 'atelier' && row.connections === 200)
      .map((row) => row.gateway.rss_max_mb),
  );
  checks.push({
    target: 'Atelier RSS < 150 MB at 200 connections',
    value: `${rss200} MB max`,
    met: rss200 < 150,
  });
  const failures = [
    ...results.throughput.filter((row) => row.target === 'atelier' && (row.error_count || row.non_2xx)),
    ...results.paced.filter((row) => row.target === 'atelier' && (row.failures || row.malformed)),
  ];
  const streamProblems = results.verification.atelier?.problems ?? [];
  checks.push({
    target: 'Atelier answers every request correctly',
    value:
      failures.length || streamProblems.length
        ? [
            ...failures.map(
              (row) =>
                `${row.mode} ${row.connections ? `c=${row.connections}` : 'paced'}: ${row.error_count ?? row.failures} errors, ${row.non_2xx ?? 0} non-2xx, ${row.malformed ?? 0} malformed`,
            ),
            ...streamProblems,
          ].join('; ')
        : 'no errors, no malformed streams',
    met: failures.length === 0 && streamProblems.length === 0,
  });
  return checks;
}

const fmt = (value, digits = 2) =>
  value === null || value === undefined ? '–' : Number(value).toFixed(digits);

/** " (min–max)" of a case's runs when there was more than one. */
function spread(values, digits) {
  return values && values.length > 1
    ? ` (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`
    : '';
}

function render(results) {
  const lines = [];
  const m = results.machine;
  lines.push(
    `### Results — ${results.started_at.slice(0, 16).replace('T', ' ')} UTC${results.quick ? ' (quick smoke run)' : ''}${results.profiled ? ' (Atelier under --cpu-prof)' : ''}`,
  );
  lines.push('');
  lines.push(
    `${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB, Node ${m.node}; load average ${m.loadavg_before[0]} before, ` +
      `${m.loadavg_after[0]} after; ${results.settings.case_seconds} s per wrk case (1 thread), ` +
      `${results.settings.paced_seconds} s per paced case (after ${results.settings.paced_warmup_seconds ?? 0} s unrecorded at its rate); every case run ${results.settings.rounds ?? 1}× with the targets taking turns, ` +
      `the median run shown (min–max of the runs in brackets); run took ${results.duration_s} s.` +
      (results.portkey
        ? ` Portkey ${results.portkey.version}${results.portkey.patch !== 'none' ? ` (patched: ${results.portkey.patch})` : ''}.`
        : ''),
  );
  lines.push('');
  lines.push('**Targets**');
  lines.push('');
  lines.push('| target | result | met |');
  lines.push('|---|---|---|');
  for (const check of results.targets)
    lines.push(`| ${check.target} | ${check.value} | ${check.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push(
    '**Throughput** (wrk, closed loop: each connection sends its next request when the last answer ends)',
  );
  lines.push('');
  lines.push(
    '| mode | conns | target | req/s | vs Portkey | p50 ms | p99 ms | errors | gateway CPU % | gateway RSS max MB | upstream CPU % | wrk CPU % | rest of machine CPU % |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of results.throughput) {
    const portkey = find(results.throughput, 'portkey', row.mode, row.connections);
    const ratio = row.target === 'atelier' && portkey?.rps ? `${fmt(row.rps / portkey.rps)}×` : '';
    lines.push(
      `| ${row.mode} | ${row.connections} | ${row.target} | ${row.rps}${spread(row.runs, 0)} | ${ratio} | ${fmt(row.latency_ms.p50)} | ${fmt(row.latency_ms.p99)} | ` +
        `${row.error_count + row.non_2xx} | ${row.gateway ? row.gateway.cpu_percent : '–'} | ${row.gateway ? fmt(row.gateway.rss_max_mb, 1) : '–'} | ` +
        `${row.upstream?.cpu_percent ?? '–'} | ${row.client?.cpu_percent ?? '–'} | ${row.other_busy_percent ?? '–'} |`,
    );
  }
  lines.push('');
  lines.push(
    `**Fixed rate** (${results.settings.paced_rate} req/s for ${results.settings.paced_seconds} s after ${results.settings.paced_warmup_seconds ?? 0} s of unrecorded warm-up at the same rate, open loop, undici Pool; latency to the last byte)`,
  );
  lines.push('');
  lines.push(
    '| mode | target | ok / sent | p50 ms | p99 ms | p99.9 ms | added p50 ms | added p99 ms | first byte p50 / p99 ms | gateway CPU % | failures |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of results.paced) {
    const direct = find(results.paced, 'direct', row.mode);
    const added = (key) =>
      row.target !== 'direct' && row.latency && direct?.latency
        ? fmt(row.latency[key] - direct.latency[key])
        : '';
    lines.push(
      `| ${row.mode} | ${row.target} | ${row.ok} / ${row.sent} | ${fmt(row.latency?.p50)} | ${fmt(row.latency?.p99)}${spread(row.runs, 2)} | ${fmt(row.latency?.p999)} | ` +
        `${added('p50')} | ${added('p99')} | ${row.first_byte ? `${fmt(row.first_byte.p50)} / ${fmt(row.first_byte.p99)}` : ''} | ` +
        `${row.gateway?.cpu_percent ?? '–'} | ${row.failures + row.malformed ? `${row.failures} failed, ${row.malformed} malformed` : '0'} |`,
    );
  }
  lines.push('');
  lines.push('**Memory**');
  lines.push('');
  const heap = (value) =>
    value
      ? `${fmt(value.heap_used_mb, 1)} / ${fmt(value.heap_total_mb, 1)} / ${fmt(value.external_mb, 1)}`
      : '–';
  lines.push(
    '| gateway | RSS after start MB (1 s / settled) | RSS idle after warm-up MB (2 s / settled) | RSS at end MB | heap used / total / external MB, idle → end |',
  );
  lines.push('|---|---|---|---|---|');
  lines.push(
    `| atelier | ${fmt(results.atelier.rss_after_start_mb, 1)} / ${fmt(results.atelier.rss_settled_after_start_mb, 1)} | ` +
      `${fmt(results.atelier.rss_idle_after_warmup_mb, 1)} / ${fmt(results.atelier.rss_settled_after_warmup_mb, 1)} | ${fmt(results.atelier.rss_at_end_mb, 1)} | ` +
      `${heap(results.atelier.heap_idle_after_warmup)} → ${heap(results.atelier.heap_at_end)} |`,
  );
  if (results.portkey) {
    lines.push(
      `| portkey | ${fmt(results.portkey.rss_after_start_mb, 1)} / ${fmt(results.portkey.rss_settled_after_start_mb, 1)} | ` +
        `${fmt(results.portkey.rss_idle_after_warmup_mb, 1)} / ${fmt(results.portkey.rss_settled_after_warmup_mb, 1)} | – | – |`,
    );
  }
  const problems = Object.entries(results.verification).flatMap(([name, check]) =>
    check.problems.map((problem) => `${name}: ${problem}`),
  );
  const logLines = Object.entries(results.atelier.log_lines);
  if (problems.length || logLines.length) {
    lines.push('');
    lines.push('**Problems seen**');
    lines.push('');
    for (const problem of problems) lines.push(`- ${problem}`);
    for (const [line, count] of logLines)
      lines.push(`- Atelier log (level warn and above): ${count}× \`${line}\``);
  }
  lines.push('');
  return lines.join('\n');
}

function updateReadme(markdown) {
  const readme = path.join(benchDir, 'README.md');
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) return;
  writeFileSync(readme, `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`);
}

main().catch(async (error) => {
  log(`failed: ${error.stack ?? error}`);
  await stopAll();
  process.exit(1);
});
